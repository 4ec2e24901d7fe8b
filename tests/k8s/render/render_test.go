// SPDX-License-Identifier: GPL-2.0-only

package main

import (
	"io/ioutil"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// chart writes a chart with the given files (path -> content) into a temp dir.
func chart(t *testing.T, files map[string]string) string {
	t.Helper()
	dir, err := ioutil.TempDir("", "chart-render-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	base := map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: c\nversion: 1.2.3\nappVersion: \"9.9\"\n",
		"values.yaml": "a: {b: 1, c: [x, z]}\nname: nm\n",
	}
	for k, v := range files {
		base[k] = v
	}
	for p, c := range base {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0755); err != nil {
			t.Fatal(err)
		}
		if err := ioutil.WriteFile(full, []byte(c), 0644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func render(t *testing.T, dir string, o Options) ([]Doc, error) {
	t.Helper()
	if o.Release == "" {
		o.Release = "r"
	}
	if o.Namespace == "" {
		o.Namespace = "ns"
	}
	return Render(dir, o)
}

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "

func TestBuiltinsAndHelmObjects(t *testing.T) {
	dir := chart(t, map[string]string{
		"templates/_h.tpl": `{{- define "h.name" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end }}`,
		"templates/cm.yaml": cm + `{{ include "h.name" . }}
  namespace: {{ .Release.Namespace }}
data:
  v: {{ .Chart.Version }}/{{ .Chart.AppVersion }}/{{ .Release.Service }}
  q: {{ .Values.name | quote }}
  d: {{ .Values.missing | default "dflt" }}
  j: {{ toJson .Values.a | quote }}
  y: {{- toYaml .Values.a | nindent 4 }}
`,
	})
	docs, err := render(t, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Kind != "ConfigMap" || docs[0].Name != "r-c" {
		t.Fatalf("docs: %+v", docs)
	}
	want := []string{"namespace: ns", "v: 1.2.3/9.9/Helm", `q: "nm"`, "d: dflt",
		`j: "{\"b\":1,\"c\":[\"x\",\"z\"]}"`, "y:\n    b: 1\n    c:\n    - x\n    - z"}
	for _, w := range want {
		if !strings.Contains(docs[0].Text, w) {
			t.Errorf("missing %q in:\n%s", w, docs[0].Text)
		}
	}
}

func TestUnknownFunctionFails(t *testing.T) {
	for _, fn := range []string{"tpl", "lookup", "upper", "b64enc", "fromYaml"} {
		dir := chart(t, map[string]string{"templates/x.yaml": cm + `{{ ` + fn + ` "a" }}`})
		_, err := render(t, dir, Options{})
		if err == nil || !strings.Contains(err.Error(), `function "`+fn+`" not defined`) {
			t.Errorf("%s: want 'not defined', got %v", fn, err)
		}
	}
}

func TestUnsupportedObjectsFail(t *testing.T) {
	for _, ref := range []string{".Files.Get", ".Capabilities.KubeVersion", ".Template.Name"} {
		dir := chart(t, map[string]string{"templates/x.yaml": cm + `x{{ ` + ref + ` }}`})
		if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "can't evaluate field") {
			t.Errorf("%s: want a field error, got %v", ref, err)
		}
	}
	dir := chart(t, map[string]string{"templates/NOTES.txt": "hi"})
	if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "NOTES.txt") {
		t.Errorf("NOTES.txt: got %v", err)
	}
	dir = chart(t, map[string]string{"Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies: []\n"})
	if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "dependencies") {
		t.Errorf("dependencies: got %v", err)
	}
}

func TestRequiredAndUnsetValues(t *testing.T) {
	dir := chart(t, map[string]string{"templates/x.yaml": cm + `x{{ required "need .Values.z" .Values.z }}`})
	if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "need .Values.z") {
		t.Errorf("required nil: got %v", err)
	}
	if _, err := render(t, dir, Options{Sets: []string{"z="}}); err == nil {
		t.Errorf("required empty string: no error")
	}
	if d, err := render(t, dir, Options{Sets: []string{"z=ok"}}); err != nil || !strings.Contains(d[0].Text, "name: xok") {
		t.Errorf("required set: %v %+v", err, d)
	}
	dir = chart(t, map[string]string{"templates/x.yaml": cm + "x\n  typo: {{ .Values.nmae }}\n"})
	if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "line 5 uses a value that is not set") {
		t.Errorf("unset value: got %v", err)
	}
}

func TestValuesOverrides(t *testing.T) {
	dir := chart(t, nil)
	f := filepath.Join(dir, "over.yaml")
	if err := ioutil.WriteFile(f, []byte("a: {c: [z], d: {e: 1}}\nname: null\n"), 0644); err != nil {
		t.Fatal(err)
	}
	v, err := values(dir, Options{ValueFiles: []string{f},
		Sets:       []string{"a.d.e=2,a.f=true,a.g=007,a.h={p, 3},l[1].k=v", `esc\.dot=a\,b`, "a.n=null", "a.b=null"},
		SetStrings: []string{"s=true"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]interface{}{
		"a": map[string]interface{}{"c": []interface{}{"z"}, "d": map[string]interface{}{"e": int64(2)},
			"f": true, "g": "007", "h": []interface{}{"p", int64(3)}},
		"l":       []interface{}{nil, map[string]interface{}{"k": "v"}},
		"esc.dot": "a,b",
		"s":       "true",
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("values:\n got %#v\nwant %#v", v, want)
	}
	for _, bad := range []string{"noequals", "=v", "a[x]=1", "a..b=1"} {
		if err := applySet(map[string]interface{}{}, bad, false); err == nil {
			t.Errorf("--set %q: no error", bad)
		}
	}
}

func TestOrderCRDsAndShowOnly(t *testing.T) {
	crd := "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: xs.e.io\nspec: {}\n"
	dir := chart(t, map[string]string{
		"crds/x.yaml":      crd,
		"templates/a.yaml": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ds\n---\n# only a comment\n---\n" + cm + "c1\n",
		"templates/b.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n",
	})
	docs, err := render(t, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Kind+"/"+d.Name+"@"+d.Source)
	}
	want := []string{"CustomResourceDefinition/xs.e.io@c/crds/x.yaml", "ServiceAccount/sa@c/templates/b.yaml",
		"ConfigMap/c1@c/templates/a.yaml", "DaemonSet/ds@c/templates/a.yaml"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order:\n got %v\nwant %v", got, want)
	}
	docs, err = render(t, dir, Options{ShowOnly: []string{"templates/b.yaml"}})
	if err != nil || len(docs) != 1 || docs[0].Name != "sa" {
		t.Errorf("show-only: %v %+v", err, docs)
	}
	if _, err := render(t, dir, Options{ShowOnly: []string{"templates/none.yaml"}}); err == nil {
		t.Errorf("show-only of a missing template: no error")
	}
	dir = chart(t, map[string]string{"crds/x.yaml": cm + "not-a-crd\n"})
	if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "ConfigMap in crds/") {
		t.Errorf("non-CRD in crds/: got %v", err)
	}
}

func TestBadDocuments(t *testing.T) {
	dir := chart(t, map[string]string{"templates/x.yaml": "kind: ConfigMap\nmetadata: {name: a}\n"})
	if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "needs apiVersion") {
		t.Errorf("no apiVersion: got %v", err)
	}
	dir = chart(t, map[string]string{"templates/x.yaml": cm + "a\n  bad: [\n"})
	if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "templates/x.yaml") {
		t.Errorf("invalid YAML: got %v", err)
	}
	dir = chart(t, map[string]string{"templates/_r.tpl": `{{ define "loop" }}{{ include "loop" . }}{{ end }}`,
		"templates/x.yaml": cm + `{{ include "loop" . }}`})
	if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("include recursion: got %v", err)
	}
}

// hook: a document of kind K named N, annotated as a hook.
func hook(kind, name, ann string) string {
	return "apiVersion: v1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n  annotations:\n" + ann
}

func TestHooks(t *testing.T) {
	crd := "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: xs.e.io\nspec: {}\n"
	pre := "    helm.sh/hook: pre-delete,post-install\n    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n"
	dir := chart(t, map[string]string{
		"crds/x.yaml": crd,
		"templates/h.yaml": hook("Job", "job", pre+"    helm.sh/hook-weight: \"0\"\n") + "---\n" +
			hook("ServiceAccount", "sa-z", pre+"    helm.sh/hook-weight: \"-1\"\n") + "---\n" +
			hook("Role", "role-a", pre+"    helm.sh/hook-weight: \"-1\"\n") + "---\n" +
			hook("ConfigMap", "other", "    helm.sh/hook: post-delete\n"),
		"templates/m.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations: {a: b}\n",
	})
	names := func(o Options) string {
		docs, err := render(t, dir, o)
		if err != nil {
			t.Fatal(err)
		}
		var l []string
		for _, d := range docs {
			l = append(l, d.Kind+"/"+d.Name)
		}
		return strings.Join(l, " ")
	}
	cases := []struct {
		o    Options
		want string
	}{
		// helm template: CRDs, the manifest, then the hooks in kind order.
		{Options{}, "CustomResourceDefinition/xs.e.io Deployment/d ServiceAccount/sa-z ConfigMap/other Role/role-a Job/job"},
		{Options{NoHooks: true, SkipCRDs: true}, "Deployment/d"},
		// helm's execution order: weight, then name.
		{Options{Hooks: "pre-delete"}, "Role/role-a ServiceAccount/sa-z Job/job"},
		{Options{Hooks: "post-delete"}, "ConfigMap/other"},
		{Options{Hooks: "pre-upgrade"}, ""},
	}
	for _, c := range cases {
		if got := names(c.o); got != c.want {
			t.Errorf("%+v:\n got %s\nwant %s", c.o, got, c.want)
		}
	}
	docs, _ := render(t, dir, Options{Hooks: "post-delete"})
	if !reflect.DeepEqual(docs[0].DeletePolicies, []string{"before-hook-creation"}) || docs[0].Weight != 0 {
		t.Errorf("defaults: %+v", docs[0])
	}
	docs, _ = render(t, dir, Options{Hooks: "pre-delete"})
	if !reflect.DeepEqual(docs[0].DeletePolicies, []string{"before-hook-creation", "hook-succeeded"}) || docs[0].Weight != -1 {
		t.Errorf("policies, weight: %+v", docs[0])
	}
	if _, err := render(t, dir, Options{Hooks: "pre-remove"}); err == nil || !strings.Contains(err.Error(), "not a Helm hook event") {
		t.Errorf("--hooks pre-remove: got %v", err)
	}
	for ann, msg := range map[string]string{
		"    helm.sh/hook: pre-remove\n":                                        `"pre-remove" is none of`,
		"    helm.sh/hook: pre-delete\n    helm.sh/hook-weight: \"x\"\n":        "not a whole number",
		"    helm.sh/hook: pre-delete\n    helm.sh/hook-delete-policy: never\n": `"never" is none of`,
	} {
		dir := chart(t, map[string]string{"templates/h.yaml": hook("Job", "j", ann)})
		if _, err := render(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: want %q, got %v", ann, msg, err)
		}
	}
}
