#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and runs wsedge on its embedded defaults.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
exec "$root/build/app/wsedge" "$@"
