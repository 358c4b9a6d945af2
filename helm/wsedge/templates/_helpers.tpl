{{/* Chart name. */}}
{{- define "wsedge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: release-name plus chart name, unless overridden. */}}
{{- define "wsedge.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Standard labels. */}}
{{- define "wsedge.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "wsedge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels. */}}
{{- define "wsedge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wsedge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* ServiceAccount name. */}}
{{- define "wsedge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "wsedge.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding keys and tokens. */}}
{{- define "wsedge.secretName" -}}
{{- default (include "wsedge.fullname" .) .Values.auth.existingSecret -}}
{{- end -}}

{{/* Whether the chart creates that Secret. */}}
{{- define "wsedge.createSecret" -}}
{{- if and (not .Values.auth.existingSecret) (or .Values.auth.jwtSecret .Values.auth.jwtPublicKey .Values.auth.controlToken) -}}true{{- end -}}
{{- end -}}

{{/* The bundled Redis's name (room for "-0" and the StatefulSet's revision-hash label). */}}
{{- define "wsedge.redisName" -}}
{{- printf "%s-redis" (include "wsedge.fullname" . | trunc 46 | trimSuffix "-") -}}
{{- end -}}

{{/* The bundled Redis's selector labels: another name, so wsedge's selectors never pick it. */}}
{{- define "wsedge.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "wsedge.name" . }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The bundled Redis's labels. */}}
{{- define "wsedge.redisLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "wsedge.redisSelectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The broker's Redis, without a password: broker.redis.url, else the bundled one, else "". */}}
{{- define "wsedge.redisUrl" -}}
{{- if .Values.broker.redis.url -}}
{{- .Values.broker.redis.url -}}
{{- else if .Values.redis.enabled -}}
{{- printf "redis://%s:6379/0" (include "wsedge.redisName" .) -}}
{{- end -}}
{{- end -}}

{{/* Refuses values that would deploy something broken, saying why. */}}
{{- define "wsedge.validate" -}}
{{- if and (eq .Values.broker.type "local") (gt (int .Values.replicaCount) 1) -}}
{{- fail "replicaCount > 1 needs a cross-node broker: with broker.type=local a publish reaches only the clients of the pod that received it. Keep replicaCount: 1, or use broker.type: redis." -}}
{{- end -}}
{{- if and (eq .Values.broker.type "local") .Values.autoscaling.enabled -}}
{{- fail "autoscaling needs a cross-node broker: with broker.type=local a publish reaches only the clients of the pod that received it. Keep autoscaling.enabled: false, or use broker.type: redis." -}}
{{- end -}}
{{- if and (eq .Values.broker.type "redis") (not (include "wsedge.redisUrl" .)) -}}
{{- fail "broker.type=redis needs broker.redis.url (redis://host:port/db), or redis.enabled: true for the bundled trial Redis" -}}
{{- end -}}
{{- if contains "@" .Values.broker.redis.url -}}
{{- fail "broker.redis.url must not hold a password (it would land in the ConfigMap): put it in a Secret named by broker.redis.existingSecret" -}}
{{- end -}}
{{- if and .Values.redis.enabled (ne .Values.broker.type "redis") -}}
{{- fail "redis.enabled deploys a Redis only broker.type=redis uses: set broker.type: redis" -}}
{{- end -}}
{{- if and .Values.config.authRequired (not (or .Values.auth.existingSecret .Values.auth.jwtSecret .Values.auth.jwtPublicKey)) -}}
{{- fail "config.authRequired needs auth.jwtSecret, auth.jwtPublicKey or auth.existingSecret" -}}
{{- end -}}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) -}}
{{- fail "tls.enabled needs tls.secretName (a kubernetes.io/tls Secret)" -}}
{{- end -}}
{{- if and .Values.controlPlane.tls.enabled (not .Values.controlPlane.tls.secretName) -}}
{{- fail "controlPlane.tls.enabled needs controlPlane.tls.secretName (a kubernetes.io/tls Secret)" -}}
{{- end -}}
{{- end -}}

{{/* Grace period: the preStop pause plus the drain, plus a margin for the process to exit. */}}
{{- define "wsedge.terminationGracePeriodSeconds" -}}
{{- add (int .Values.preStopSleepSeconds) (int .Values.config.drainTimeoutSeconds) 10 -}}
{{- end -}}
