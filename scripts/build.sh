#!/usr/bin/env bash
# Configures (once) and builds wsedge incrementally. Usage: build.sh [build-dir] [extra cmake args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-"$root/build"}
shift || true
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Paths under the checkout hash as relative ones: a second clone (a CI workspace, a scratch copy)
# reuses what the first compiled.
export CCACHE_BASEDIR="$root"

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@"
fi
# An up-to-date tree prints nothing (ninja's "no work to do" is noise on every run).
cmake --build "$build_dir" --parallel "$(nproc)" | { grep -v '^ninja: no work to do' || true; }
