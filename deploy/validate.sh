#!/usr/bin/env bash
# Offline checks of the deployment files (Dockerfile, deploy/compose.yaml, deploy/k8s).
# Tools that are not installed are reported as skipped, never as passed.
# deploy/README.md ("What was validated") says what each step covers.
set -euo pipefail
cd "$(dirname "$0")/.."

skipped=()

step() { printf '\n== %s\n' "$1"; }

step 'Jest (test/unit/deploy): YAML parse, Kubernetes + KEDA schemas, dclint, dockerfile-utils, kustomize'
npx jest test/unit/deploy

step 'dclint CLI on deploy/compose.yaml'
npx dclint -c deploy/dclint.config.json deploy/compose.yaml

step 'kubectl kustomize deploy/k8s (base)'
if command -v kubectl >/dev/null 2>&1; then
  kubectl kustomize deploy/k8s >/dev/null && echo 'rendered'
else
  skipped+=('kubectl kustomize: kubectl not found')
fi

step 'docker compose config (client-side model of the compose file)'
if docker compose version >/dev/null 2>&1; then
  docker compose -f deploy/compose.yaml config --quiet
  docker compose -f deploy/compose.yaml --profile gpu config --quiet
  echo 'valid'
else
  skipped+=('docker compose config: the compose plugin is not installed')
fi

step 'hadolint Dockerfile'
if command -v hadolint >/dev/null 2>&1; then
  hadolint Dockerfile
else
  skipped+=('hadolint: not installed')
fi

step 'kubeconform -strict (needs its JSON schemas: network or KUBECONFORM_SCHEMA_LOCATION)'
if command -v kubeconform >/dev/null 2>&1 && command -v kubectl >/dev/null 2>&1; then
  location_args=()
  if [[ -n "${KUBECONFORM_SCHEMA_LOCATION:-}" ]]; then
    location_args=(-schema-location "$KUBECONFORM_SCHEMA_LOCATION")
  fi
  kubectl kustomize deploy/k8s | kubeconform -strict -summary "${location_args[@]}" -skip ScaledObject,TriggerAuthentication -
else
  skipped+=('kubeconform: not installed')
fi

printf '\n== done\n'
for reason in "${skipped[@]}"; do
  echo "skipped: $reason"
done
