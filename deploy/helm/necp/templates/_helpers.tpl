{{/* Labels every object of the release carries. */}}
{{- define "necp.labels" -}}
app.kubernetes.io/name: necp
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The selector of one service's pods: call with (dict "root" $ "name" $name). */}}
{{- define "necp.selector" -}}
app.kubernetes.io/name: necp
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "necp.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "necp.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* Where each service reaches the others: <SERVICE>_URL for every service of the chart. */}}
{{- define "necp.serviceUrls" -}}
{{- range $name, $service := .Values.services }}
- name: {{ upper $name }}_URL
  value: {{ printf "http://%s:%v" (include "necp.fullname" (dict "root" $ "name" $name)) $service.port | quote }}
{{- end }}
{{- end -}}

{{/* The Vault Agent's rendering of every key at the secret's path as `export NAME="value"` lines. */}}
{{- define "necp.vaultAnnotations" -}}
vault.hashicorp.com/agent-inject: "true"
vault.hashicorp.com/role: {{ .Values.secrets.vault.role | quote }}
vault.hashicorp.com/agent-pre-populate-only: "true"
vault.hashicorp.com/agent-inject-secret-env: {{ .Values.secrets.vault.path | quote }}
vault.hashicorp.com/agent-inject-template-env: {{ printf "{{- with secret %q -}}{{ range $k, $v := .Data.data }}export {{ $k }}=%q; {{ end }}{{- end -}}" .Values.secrets.vault.path "{{ $v }}" | quote }}
{{- end -}}

{{/*
The secrets one service reads, each from its own key of the existing Secret (a service sees only its own):
every service its database, cache, client-credentials secret and the edge vouch key (optional: without
it each service checks every token against the deny-list itself); auth also the key-sealing secret, the
other services' client secrets (it authenticates them) and the seed passwords.
*/}}
{{- define "necp.secretKeys" -}}
{{- $keys := list "DATABASE_URL" "REDIS_URL" "EDGE_VOUCH_KEY" -}}
{{- if eq .name "auth" -}}
{{- $keys = concat $keys (list "AUTH_KEY_ENCRYPTION_SECRET" "SEED_ADMIN_PASSWORD" "SEED_ARBITER_PASSWORD") -}}
{{- range $other, $_ := .root.Values.services }}{{ $keys = append $keys (printf "%s_CLIENT_SECRET" (upper $other)) }}{{ end -}}
{{- else -}}
{{- $keys = append $keys (printf "%s_CLIENT_SECRET" (upper .name)) -}}
{{- end -}}
{{- toJson $keys -}}
{{- end -}}

{{/* Environment of a service's container (dict "root" $ "name" $name): the ConfigMap, the service URLs, its secrets. */}}
{{- define "necp.environment" -}}
{{- $values := .root.Values -}}
envFrom:
  - configMapRef:
      name: {{ .root.Release.Name }}-config
env:
{{- include "necp.serviceUrls" .root | trim | nindent 2 }}
{{- if $values.secrets.vault.enabled }}
  - name: NECP_ENV_FILE
    value: /vault/secrets/env
{{- else }}
{{- range include "necp.secretKeys" . | fromJsonArray }}
  - name: {{ . }}
    valueFrom:
      secretKeyRef:
        name: {{ $values.secrets.existingSecret }}
        key: {{ . }}
        optional: true
{{- end }}
{{- end }}
{{- end -}}

{{/* The container hardening every pod shares. */}}
{{- define "necp.containerSecurity" -}}
securityContext:
  runAsNonRoot: true
  # Above the host's range (the image's files are world-readable; only /tmp, an emptyDir, is written).
  runAsUser: 10001
  runAsGroup: 10001
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
{{- end -}}
