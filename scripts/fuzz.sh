#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang + ASan + UBSan (into build-fuzz/, with
# ccache when there is one) and runs each for SECONDS (default 60) on its seeds in
# fuzz/corpus/<target>/. Prints libFuzzer's "Done N runs in S second(s)" line per target and
# exits non-zero on any crash, leak, timeout or sanitizer report (the input is kept in
# build-fuzz/artifacts/). Usage: fuzz.sh [SECONDS] [TARGET...]; SECONDS 0 only builds, and
# WSEDGE_FUZZ_NO_BUILD=1 only runs (a long run need not hold a shared machine's build lock).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
build_dir="$root/build-fuzz"

# clang 16 at least: the edge builds structs with parentheses (C++20 aggregate init), which
# clang 14, Debian's default, cannot compile. libFuzzer's runtime is in libclang-rt-16-dev, the
# symbolizer for readable stacks in llvm-16.
clang_version=16
llvm_bin=/usr/lib/llvm-$clang_version/bin
if [[ ! -x $llvm_bin/clang++ || ! -x $llvm_bin/llvm-symbolizer ||
  ! -d /usr/lib/llvm-$clang_version/lib/clang/$clang_version/lib/linux ]]; then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq || true
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "clang-$clang_version" \
    "libclang-rt-$clang_version-dev" "llvm-$clang_version"
fi

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Paths relative to the checkout, so that another clone of it hits the same cache entries.
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
fi
if [[ "${WSEDGE_FUZZ_NO_BUILD:-0}" != 1 ]]; then
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    cmake -S "$root/fuzz" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE= \
      -DCMAKE_CXX_COMPILER="$llvm_bin/clang++" -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
      "${launcher[@]}"
  fi
  cmake --build "$build_dir" --parallel "$(nproc)" | { grep -v '^ninja: no work to do' || true; }
fi
((seconds > 0)) || exit 0

targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(cd "$root/fuzz" && ls ./*_fuzzer.cpp | sed 's|^\./||; s|\.cpp$||')
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export ASAN_SYMBOLIZER_PATH="$llvm_bin/llvm-symbolizer"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$build_dir/artifacts" "$build_dir/corpus"
failed=()
for target in "${targets[@]}"; do
  # New inputs go to a scratch corpus in the build dir; the repository's seeds stay as they are.
  mkdir -p "$build_dir/corpus/$target"
  log="$build_dir/$target.log"
  if "$build_dir/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -print_final_stats=0 -artifact_prefix="$build_dir/artifacts/$target-" \
    "$build_dir/corpus/$target" "$root/fuzz/corpus/$target" >"$log" 2>&1; then
    echo "$target: $(grep -E '^Done [0-9]+ runs' "$log" | tail -1)"
  else
    echo "$target: FAILED (log: $log)"
    grep -E 'ERROR|runtime error|check failed|Assertion|Test unit written' "$log" | head -5 || true
    failed+=("$target")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"
  exit 1
fi
