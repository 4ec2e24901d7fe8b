{{/*
Helpers shared by the templates. The chart uses only what
tests/k8s/render implements (its README lists it): .Values, .Release.Name,
.Release.Namespace, .Release.Service, .Chart, define/include, toYaml,
toJson, nindent, default, required, quote and text/template's builtins.
*/}}

{{/* Labels every object carries; selectors add app.kubernetes.io/name. */}}
{{- define "sfc-cni.labels" -}}
app.kubernetes.io/part-of: sfc-cni
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{/* Image tag: image.tag, else the chart's appVersion (what
tests/k8s/images.sh tags). An image is <registry>/<target>:<tag>. */}}
{{- define "sfc-cni.tag" -}}
{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "sfc-cni.nodeImage" -}}
{{ .Values.image.registry }}/node:{{ include "sfc-cni.tag" . }}
{{- end }}

{{- define "sfc-cni.serviceAccountName" -}}
{{ .Values.serviceAccount.name | default (printf "%s-agent" .Release.Name) }}
{{- end }}

{{/* KUBERNETES_SERVICE_HOST/PORT overrides for the node pods, when set:
env entries already indented for a container's env list (12 spaces), each
on a new line, nothing at all when unset. Use: {{- include ... . }} */}}
{{- define "sfc-cni.apiEnv" }}
{{- if .Values.kubernetesServiceHost }}
            - name: KUBERNETES_SERVICE_HOST
              value: {{ .Values.kubernetesServiceHost | quote }}
{{- end }}
{{- if .Values.kubernetesServicePort }}
            - name: KUBERNETES_SERVICE_PORT
              value: {{ .Values.kubernetesServicePort | quote }}
{{- end }}
{{- end }}

{{/* imagePullSecrets of a pod spec (6 spaces), nothing when none. */}}
{{- define "sfc-cni.imagePullSecrets" }}
{{- with .Values.image.pullSecrets }}
      imagePullSecrets: {{- toYaml . | nindent 8 }}
{{- end }}
{{- end }}
