#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the whole suite, then the
# unit and integration tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure --timeout 300 -j "$jobs")
if [[ "${WSEDGE_SKIP_SANITIZERS:-0}" != 1 ]]; then
  # -O0 keeps the sanitizer build's compile time down on 2 cores.
  "$root/scripts/build.sh" "$root/build-asan" -DWSEDGE_SANITIZE=address,undefined \
    -DWSEDGE_BUILD_TOOLS=OFF -DCMAKE_BUILD_TYPE=Debug
  (cd "$root/build-asan" && ctest --output-on-failure --timeout 300 -j "$jobs")
fi
# ThreadSanitizer for the threaded paths: WSEDGE_TSAN=1 ./scripts/test.sh (not in CI: time).
if [[ "${WSEDGE_TSAN:-0}" == 1 ]]; then
  "$root/scripts/build.sh" "$root/build-tsan" -DWSEDGE_SANITIZE=thread -DWSEDGE_BUILD_TOOLS=OFF \
    -DCMAKE_BUILD_TYPE=Debug
  # ThreadSanitizer runs code 5-15x slower: the longest tests (33,000 rooms joined) need more.
  (cd "$root/build-tsan" && ctest --output-on-failure --timeout 900 -j "$jobs")
fi
# Every libFuzzer target for 10 s (clang + ASan + UBSan, into build-fuzz/): replays the seeds and
# the inputs earlier runs kept, then looks for new ones. Longer: ./scripts/fuzz.sh 300.
"$root/scripts/fuzz.sh" 10
echo "wsedge: all tests passed"
