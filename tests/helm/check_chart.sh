#!/usr/bin/env bash
# Renders helm/wsedge offline for several values files, lints and schema-validates every object,
# and checks the chart's invariants against the real wsedge binary. Run by CTest.
# usage: check_chart.sh WSEDGE_BINARY WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
wsedge=$1 work=$2
mkdir -p "$work"

# Debian installs sprig v3 and semver v3 without their /v3 import-path suffix: link them into
# a private GOPATH so the renderer builds offline in GOPATH mode.
gopath="$work/gopath"
mkdir -p "$gopath/src/github.com/Masterminds/sprig" "$gopath/src/github.com/Masterminds/semver"
ln -sfn /usr/share/gocode/src/github.com/Masterminds/sprig "$gopath/src/github.com/Masterminds/sprig/v3"
ln -sfn /usr/share/gocode/src/github.com/Masterminds/semver "$gopath/src/github.com/Masterminds/semver/v3"
GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$work/gocache" \
  go build -o "$work/render" "$here/render.go"

# Kubernetes schemas (npm kubernetes-models), installed once per build directory.
if [[ ! -d "$work/node/node_modules/kubernetes-models" ]]; then
  mkdir -p "$work/node"
  (cd "$work/node" && npm install --no-audit --no-fund --silent \
    kubernetes-models@4 @kubernetes-models/prometheus-operator@4 js-yaml@4 >/dev/null)
fi
cp "$here/validate_k8s.mjs" "$work/node/"

/usr/bin/python3 "$here/check_chart.py" "$root/helm/wsedge" "$work" "$wsedge" "$here/values"
