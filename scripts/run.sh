#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and runs wsedge on its embedded defaults.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Only what building and running need; the test tools come with the test command.
"$root/scripts/install-deps.sh" --build-only
"$root/scripts/build.sh" "$root/build"
# The demo page is on here (off by default): open the printed demo URL in a browser.
exec "$root/build/app/wsedge" --demo_page=true "$@"
