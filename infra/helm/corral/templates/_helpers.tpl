{{- define "corral.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "corral.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "corral.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "corral.webImage" -}}
{{- required "image.web is required (infra/images/build-service.ts, pushed to your registry)" .Values.image.web -}}
{{- end -}}

{{- define "corral.secretName" -}}
{{- required "secretName is required: a Secret with DATABASE_URL, AUTH_SECRET and CORRAL_SECRET_KEY" .Values.secretName -}}
{{- end -}}

{{- define "corral.url" -}}
{{- $url := required "url is required: the address people use, e.g. https://corral.example.com" .Values.url -}}
{{- if not (regexMatch "^https?://[^/]+/?$" $url) -}}
{{- fail "url must be http(s)://host with no path" -}}
{{- end -}}
{{- trimSuffix "/" $url -}}
{{- end -}}

{{/* The web app's pod-level hardening, shared by web, job runner and migrations. */}}
{{- define "corral.nonRootPod" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "corral.nonRootContainer" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
{{- end -}}

{{- define "corral.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}
