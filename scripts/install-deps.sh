#!/usr/bin/env bash
# Installs the Debian packages listed in debian-packages.txt that are missing (idempotent).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# --build-only: just what building wsedge needs (the list's head, before its test-only marker).
if [[ "${1:-}" == --build-only ]]; then
  mapfile -t wanted < <(sed '/test-only/q' "$here/debian-packages.txt" | grep -vE '^\s*(#|$)')
else
  mapfile -t wanted < <(grep -vE '^\s*(#|$)' "$here/debian-packages.txt")
fi
missing=()
# The JavaScript client embedded for the demo page is built with Node.js and npm. Debian's
# nodejs + npm when there is no npm at all (a NodeSource nodejs brings its own npm, and
# conflicts with Debian's npm package, so it is left alone).
command -v npm >/dev/null || wanted+=(nodejs npm)
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "wsedge: installing missing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq || true
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
