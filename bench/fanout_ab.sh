#!/usr/bin/env bash
# Interleaved A/B fanout runs: for each repetition, a fresh server per variant, the same load.
# usage: bench/fanout_ab.sh OUT.jsonl REPETITIONS "variant-a:ENV=..." "variant-b:ENV=..." …
# A variant's ENV goes to the server only, e.g. LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libmimalloc.so
# or WSEDGE_THREADS=1; the word bin=PATH runs another wsedge binary for that variant (e.g. a copy
# of the build before a change), and bench=ARG passes ARG to that variant's wsedge-bench runs
# (e.g. bench=--watchers=1). BENCH_ARGS are passed to every wsedge-bench run, SERVER_ARGS to
# every server (not WSEDGE_ARGS: wsedge reads every WSEDGE_* variable as a setting).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1 reps=$2
shift 2
for ((rep = 1; rep <= reps; rep++)); do
  for variant in "$@"; do
    label=${variant%%:*} envs=() bin="$root/build/app/wsedge" bench_args=()
    for word in ${variant#*:}; do
      case $word in
        bin=*) bin=${word#bin=} ;;
        bench=*) bench_args+=("${word#bench=}") ;;
        *) envs+=("$word") ;;
      esac
    done
    # The server's first stdout line names its ports.
    exec 3< <(exec env "${envs[@]}" "$bin" --bind_address=127.0.0.1 --ws_port=0 \
      --grpc_port=0 --metrics_port=0 ${SERVER_ARGS:-})
    server=$!
    read -r -t 20 -u 3 line
    ws=$(sed -E 's/.* ws=[^ ]*:([0-9]+) .*/\1/' <<<"$line")
    grpc=$(sed -E 's/.* grpc=[^ ]*:([0-9]+) .*/\1/' <<<"$line")
    metrics=$(sed -E 's/.* metrics=[^ ]*:([0-9]+) .*/\1/' <<<"$line")
    "$root/build/bench/wsedge-bench" --scenario=fanout --ws_port="$ws" --grpc=127.0.0.1:"$grpc" \
      --metrics_port="$metrics" --server_pid="$server" --label="$label" --out="$out" \
      ${BENCH_ARGS:-} "${bench_args[@]}" >/dev/null
    kill "$server"
    wait "$server" 2>/dev/null || true
    exec 3<&-
  done
done
