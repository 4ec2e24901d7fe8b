// SPDX-License-Identifier: GPL-2.0-only

package main

import (
	"bytes"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	yaml "gopkg.in/yaml.v2"
)

// Chart is .Chart: the fields of Chart.yaml this renderer knows. Any other
// field (dependencies, for one) fails the load: it would mean a Helm
// feature the renderer does not implement.
type Chart struct {
	APIVersion  string `yaml:"apiVersion"`
	Name        string `yaml:"name"`
	Version     string `yaml:"version"`
	AppVersion  string `yaml:"appVersion"`
	Description string `yaml:"description"`
	Type        string `yaml:"type"`
}

// Release is .Release, as `helm template` (an install) fills it.
type Release struct {
	Name      string
	Namespace string
	Service   string
}

// top is the templates' dot: .Values, .Release, .Chart and nothing else
// (.Files, .Capabilities, .Template fail: no such field).
type top struct {
	Values  map[string]interface{}
	Release Release
	Chart   Chart
}

// Options says what to render.
type Options struct {
	Release    string
	Namespace  string
	ValueFiles []string
	Sets       []string // --set
	SetStrings []string // --set-string
	ShowOnly   []string // template paths relative to the chart, e.g. templates/x.yaml
	SkipCRDs   bool     // --skip-crds: no crds/ documents
	NoHooks    bool     // --no-hooks: no hook documents
	Hooks      string   // --hooks EVENT: only that event's hooks, in Helm's execution order
}

// Doc is one rendered YAML document.
type Doc struct {
	Source string // chart-name/templates/file.yaml or chart-name/crds/file.yaml
	Kind   string
	Name   string
	Text   string
	// A hook (annotation helm.sh/hook): its events, helm.sh/hook-weight and
	// helm.sh/hook-delete-policy (Helm's default: before-hook-creation).
	Hooks          []string
	Weight         int
	DeletePolicies []string
}

// hookEvents and hookDeletePolicies are Helm 3's (pkg/release/hook.go);
// anything else in the annotations fails the render.
var hookEvents = []string{"pre-install", "post-install", "pre-delete", "post-delete",
	"pre-upgrade", "post-upgrade", "pre-rollback", "post-rollback", "test", "test-success"}
var hookDeletePolicies = []string{"before-hook-creation", "hook-succeeded", "hook-failed"}

// annotationList splits a comma-separated annotation value, each entry
// one of allowed.
func annotationList(key, v string, allowed []string) ([]string, error) {
	var l []string
	for _, e := range strings.Split(v, ",") {
		e = strings.TrimSpace(e)
		if !contains(allowed, e) {
			return nil, fmt.Errorf("%s: %q is none of %s", key, e, strings.Join(allowed, ", "))
		}
		l = append(l, e)
	}
	return l, nil
}

// hookOf fills d's hook fields from its annotations, as Helm reads them.
func hookOf(d *Doc, ann map[string]string) error {
	ev, ok := ann["helm.sh/hook"]
	if !ok {
		return nil
	}
	var err error
	if d.Hooks, err = annotationList("helm.sh/hook", ev, hookEvents); err != nil {
		return err
	}
	if w, ok := ann["helm.sh/hook-weight"]; ok {
		if d.Weight, err = strconv.Atoi(w); err != nil {
			return fmt.Errorf("helm.sh/hook-weight: %q is not a whole number", w)
		}
	}
	d.DeletePolicies = []string{"before-hook-creation"}
	if p, ok := ann["helm.sh/hook-delete-policy"]; ok {
		d.DeletePolicies, err = annotationList("helm.sh/hook-delete-policy", p, hookDeletePolicies)
	}
	return err
}

// installOrder is Helm's (pkg/releaseutil InstallOrder): the order
// `helm template` and `helm install` emit and create kinds in.
var installOrder = []string{"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService"}

// maxIncludeDepth bounds include recursion, as Helm does.
const maxIncludeDepth = 1000

// funcMap gives the templates exactly the functions the chart uses: Helm's
// include, required and toYaml, and sprig's default, quote, nindent and
// toJson; text/template's builtins (printf, eq, and, index, ...) stay.
// A template calling anything else fails to parse: "function X not defined".
func funcMap(t **template.Template) template.FuncMap {
	sp := sprig.TxtFuncMap()
	depth := 0
	fm := template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			if depth >= maxIncludeDepth {
				return "", fmt.Errorf("include %q: nested more than %d deep", name, maxIncludeDepth)
			}
			depth++
			defer func() { depth-- }()
			var b bytes.Buffer
			if err := (*t).ExecuteTemplate(&b, name, data); err != nil {
				return "", err
			}
			return b.String(), nil
		},
		"required": func(msg string, v interface{}) (interface{}, error) {
			if v == nil {
				return nil, fmt.Errorf("%s", msg)
			}
			if s, ok := v.(string); ok && s == "" {
				return nil, fmt.Errorf("%s", msg)
			}
			return v, nil
		},
		// Helm's toYaml: the YAML without its final newline.
		"toYaml": func(v interface{}) (string, error) {
			b, err := yaml.Marshal(v)
			if err != nil {
				return "", err
			}
			return strings.TrimSuffix(string(b), "\n"), nil
		},
	}
	for _, name := range []string{"default", "quote", "nindent", "toJson"} {
		fm[name] = sp[name]
	}
	return fm
}

// FuncNames lists the functions a template may call besides text/template's builtins.
func FuncNames() []string {
	var t *template.Template
	var names []string
	for n := range funcMap(&t) {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func loadChart(dir string) (Chart, error) {
	var c Chart
	b, err := ioutil.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return c, err
	}
	if err := yaml.UnmarshalStrict(b, &c); err != nil {
		return c, fmt.Errorf("Chart.yaml: %v", err)
	}
	if c.APIVersion != "v2" || c.Name == "" || c.Version == "" {
		return c, fmt.Errorf("Chart.yaml: needs apiVersion v2, name and version")
	}
	return c, nil
}

// values: the chart's values.yaml, then each -f file, then --set and
// --set-string in order.
func values(dir string, o Options) (map[string]interface{}, error) {
	v, err := readValues(filepath.Join(dir, "values.yaml"))
	if err != nil {
		return nil, err
	}
	for _, f := range o.ValueFiles {
		u, err := readValues(f)
		if err != nil {
			return nil, err
		}
		merge(v, u)
	}
	for _, s := range o.Sets {
		if err := applySet(v, s, false); err != nil {
			return nil, err
		}
	}
	for _, s := range o.SetStrings {
		if err := applySet(v, s, true); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// templateFiles: every file under templates/, sorted; partials start with "_".
func templateFiles(dir string) ([]string, error) {
	var files []string
	root := filepath.Join(dir, "templates")
	if _, err := os.Stat(root); os.IsNotExist(err) {
		return nil, nil
	}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".tpl":
			files = append(files, filepath.ToSlash(rel))
			return nil
		}
		return fmt.Errorf("%s: not a .yaml, .yml or .tpl template (NOTES.txt and others are not supported)", rel)
	})
	sort.Strings(files)
	return files, err
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// splitDocs cuts rendered text into documents, dropping those that hold
// only blank lines and comments, and reads each one's kind and name.
func splitDocs(source, text string) ([]Doc, error) {
	var docs []Doc
	for i, part := range docSep.Split(text, -1) {
		var obj struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Metadata   struct {
				Name        string            `yaml:"name"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
		}
		var raw interface{}
		if err := yaml.Unmarshal([]byte(part), &raw); err != nil {
			return nil, fmt.Errorf("%s: document %d: %v", source, i, err)
		}
		if raw == nil {
			continue
		}
		if err := yaml.Unmarshal([]byte(part), &obj); err != nil {
			return nil, fmt.Errorf("%s: document %d: %v", source, i, err)
		}
		if obj.APIVersion == "" || obj.Kind == "" || obj.Metadata.Name == "" {
			return nil, fmt.Errorf("%s: document %d: needs apiVersion, kind and metadata.name", source, i)
		}
		d := Doc{Source: source, Kind: obj.Kind, Name: obj.Metadata.Name, Text: strings.Trim(part, "\n")}
		if err := hookOf(&d, obj.Metadata.Annotations); err != nil {
			return nil, fmt.Errorf("%s: document %d: %v", source, i, err)
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func kindRank(kind string) int {
	for i, k := range installOrder {
		if k == kind {
			return i
		}
	}
	return len(installOrder)
}

// crds: the files under crds/, as they are (Helm never templates them).
func crds(dir, chart string) ([]Doc, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "crds", "*"))
	sort.Strings(files)
	var docs []Doc
	for _, f := range files {
		if ext := filepath.Ext(f); ext != ".yaml" && ext != ".yml" {
			return nil, fmt.Errorf("%s: crds/ holds only .yaml files", f)
		}
		b, err := ioutil.ReadFile(f)
		if err != nil {
			return nil, err
		}
		d, err := splitDocs(chart+"/crds/"+filepath.Base(f), string(b))
		if err != nil {
			return nil, err
		}
		for _, x := range d {
			if x.Kind != "CustomResourceDefinition" {
				return nil, fmt.Errorf("%s: %s in crds/", x.Source, x.Kind)
			}
		}
		docs = append(docs, d...)
	}
	return docs, nil
}

// Render renders the chart in dir as `helm template` prints it: crds/
// first, then every template's documents that are not hooks in Helm's
// install order (by kind, then file, then position), then the hooks in
// the same order. With ShowOnly, only those templates and no CRDs;
// SkipCRDs and NoHooks leave those out. With Hooks set, only the hooks of
// that event, in the order `helm` runs them: by weight, then by name, kind
// order kept among equals (pkg/action/hooks.go).
func Render(dir string, o Options) ([]Doc, error) {
	chart, err := loadChart(dir)
	if err != nil {
		return nil, err
	}
	vals, err := values(dir, o)
	if err != nil {
		return nil, err
	}
	files, err := templateFiles(dir)
	if err != nil {
		return nil, err
	}
	var t *template.Template
	t = template.New(chart.Name).Option("missingkey=zero").Funcs(funcMap(&t))
	for _, f := range files {
		b, err := ioutil.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		if _, err := t.New(chart.Name + "/" + f).Parse(string(b)); err != nil {
			return nil, err
		}
	}
	for _, s := range o.ShowOnly {
		if t.Lookup(chart.Name+"/"+s) == nil {
			return nil, fmt.Errorf("--show-only %s: no such template", s)
		}
	}
	dot := top{Values: vals, Release: Release{Name: o.Release, Namespace: o.Namespace, Service: "Helm"}, Chart: chart}
	var docs []Doc
	if o.Hooks != "" && !contains(hookEvents, o.Hooks) {
		return nil, fmt.Errorf("--hooks %s: not a Helm hook event (%s)", o.Hooks, strings.Join(hookEvents, ", "))
	}
	if len(o.ShowOnly) == 0 && !o.SkipCRDs && o.Hooks == "" {
		if docs, err = crds(dir, chart.Name); err != nil {
			return nil, err
		}
	}
	var out []Doc
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "_") || (len(o.ShowOnly) > 0 && !contains(o.ShowOnly, f)) {
			continue
		}
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, chart.Name+"/"+f, dot); err != nil {
			return nil, err
		}
		// missingkey=zero prints a value that is not set as "<no value>"
		// (Helm then blanks it): here that is an error.
		if i := strings.Index(b.String(), "<no value>"); i >= 0 {
			line := strings.Count(b.String()[:i], "\n") + 1
			return nil, fmt.Errorf("%s: output line %d uses a value that is not set", f, line)
		}
		d, err := splitDocs(chart.Name+"/"+f, b.String())
		if err != nil {
			return nil, err
		}
		out = append(out, d...)
	}
	sort.SliceStable(out, func(i, j int) bool { return kindRank(out[i].Kind) < kindRank(out[j].Kind) })
	var hooks []Doc
	for _, d := range out {
		switch {
		case d.Hooks == nil:
			if o.Hooks == "" {
				docs = append(docs, d)
			}
		case o.Hooks != "":
			if contains(d.Hooks, o.Hooks) {
				hooks = append(hooks, d)
			}
		case !o.NoHooks:
			hooks = append(hooks, d)
		}
	}
	if o.Hooks != "" {
		sort.SliceStable(hooks, func(i, j int) bool {
			if hooks[i].Weight != hooks[j].Weight {
				return hooks[i].Weight < hooks[j].Weight
			}
			return hooks[i].Name < hooks[j].Name
		})
	}
	return append(docs, hooks...), nil
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}
