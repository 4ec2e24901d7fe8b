// SPDX-License-Identifier: GPL-2.0-only

// Command chart-render renders a Helm chart the way `helm template` does,
// for the subset of Helm the sfc-cni chart uses, and fails on anything
// else. There is no helm binary on the test machines; what tests/k8s
// applies to its cluster is this renderer's output.
//
//	chart-render [--release NAME] [--namespace NS] [-f values.yaml]...
//	             [--set k=v]... [--set-string k=v]... [--show-only templates/x.yaml]...
//	             [--skip-crds] [--no-hooks | --hooks EVENT] [-o FILE] CHART_DIR
//	chart-render --functions
//
// Implemented, with Helm's semantics:
//   - .Values: values.yaml, then each -f file (maps merge, other values
//     replace, null deletes a key), then --set / --set-string (dotted keys,
//     name[N] list indexes, {a,b} lists, \, \. \= escapes; --set types true,
//     false, null and whole numbers as Helm does);
//   - .Release.Name (--release, default the chart name), .Release.Namespace
//     (--namespace, default "default"), .Release.Service ("Helm");
//   - .Chart from Chart.yaml (apiVersion v2; APIVersion, Name, Version,
//     AppVersion, Description, Type; any other Chart.yaml field fails);
//   - templates/*.yaml|yml|tpl parsed as one set (define/include across
//     files; files starting with "_" render nothing), crds/*.yaml emitted
//     first and untemplated (--skip-crds: not at all), documents in Helm's
//     install order (by kind);
//   - hooks (annotation helm.sh/hook, with helm.sh/hook-weight and
//     helm.sh/hook-delete-policy checked against Helm's values): printed
//     after the other documents as `helm template` does; --no-hooks leaves
//     them out; --hooks EVENT prints only that event's, in the order helm
//     runs them (weight, then name), for a test to run them as helm would;
//   - functions: include, required, toYaml (Helm's), default, quote,
//     nindent, toJson (sprig), and text/template's builtins. Any other
//     function fails at parse time ("function X not defined").
//
// Stricter than Helm: a value that is not set and printed as such ("<no
// value>", which Helm blanks) fails the render; every document must have
// apiVersion, kind and metadata.name; .Files, .Capabilities, .Template,
// subcharts and NOTES.txt are not implemented (the chart uses none).
//
// Output: "---\n# Source: <chart>/<path>\n<document>\n" per document, as
// `helm template` prints it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"strings"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	var o Options
	var files, sets, setStrings, showOnly multi
	out := flag.String("o", "", "write to FILE (atomically) instead of stdout")
	funcs := flag.Bool("functions", false, "list the functions templates may call, besides text/template's builtins")
	flag.StringVar(&o.Release, "release", "", "release name (default: the chart's name)")
	flag.StringVar(&o.Namespace, "namespace", "default", "release namespace")
	flag.Var(&files, "f", "values file (repeatable; later ones win)")
	flag.Var(&sets, "set", "key=value[,key=value] (repeatable)")
	flag.Var(&setStrings, "set-string", "key=value, value always a string (repeatable)")
	flag.Var(&showOnly, "show-only", "render only this template, e.g. templates/x.yaml (repeatable; no CRDs)")
	flag.BoolVar(&o.SkipCRDs, "skip-crds", false, "leave out the crds/ documents")
	flag.BoolVar(&o.NoHooks, "no-hooks", false, "leave out the hooks (helm.sh/hook documents)")
	flag.StringVar(&o.Hooks, "hooks", "", "only the hooks of this event (pre-delete, ...), in the order helm runs them")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: chart-render [flags] CHART_DIR\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *funcs {
		fmt.Println(strings.Join(FuncNames(), "\n"))
		return
	}
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	o.ValueFiles, o.Sets, o.SetStrings, o.ShowOnly = files, sets, setStrings, showOnly
	if o.Release == "" {
		c, err := loadChart(flag.Arg(0))
		if err != nil {
			fail(err)
		}
		o.Release = c.Name
	}
	docs, err := Render(flag.Arg(0), o)
	if err != nil {
		fail(err)
	}
	var b bytes.Buffer
	for _, d := range docs {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", d.Source, d.Text)
	}
	if *out == "" {
		os.Stdout.Write(b.Bytes())
		return
	}
	if err := ioutil.WriteFile(*out+".tmp", b.Bytes(), 0644); err != nil {
		fail(err)
	}
	if err := os.Rename(*out+".tmp", *out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "chart-render: %v\n", err)
	os.Exit(1)
}
