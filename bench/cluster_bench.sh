#!/usr/bin/env bash
# Cluster mode's cost per delivery: interleaved fanout runs of one node with the local broker,
# one node with the Redis engine, and three Redis-engine nodes (clients spread over the three,
# publishes through the first), on fresh servers and a fresh redis-server each time. Server CPU
# is summed over the nodes; the redis-server's CPU is reported per publish.
# usage: bench/cluster_bench.sh OUT.jsonl REPETITIONS
# BENCH_ARGS are passed to every wsedge-bench run (defaults: 2,000 connections, 20 rooms,
# 1,000 publishes/s for 20 s), SERVER_ARGS to every node. SCENARIO=events measures the backends'
# event stream instead (a watcher on the first node; client messages from every node), and
# VARIANTS picks the variants (default "local-1 redis-1 redis-3").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1 reps=$2
bench_args=${BENCH_ARGS:---connections=2000 --rooms=20 --rate=1000 --duration_s=20}
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pids=() ws_ports=() grpc_ports=()
start_node() {  # start_node ARGS… : one node, its pid and ports appended
  exec {fd}< <(exec "$root/build/app/wsedge" --bind_address=127.0.0.1 --ws_port=0 --grpc_port=0 \
    --metrics_port=0 "$@" ${SERVER_ARGS:-} 2>/dev/null)
  pids+=($!)
  read -r -t 20 -u "$fd" line
  ws_ports+=("$(sed -E 's/.* ws=[^ ]*:([0-9]+) .*/\1/' <<<"$line")")
  grpc_ports+=("$(sed -E 's/.* grpc=[^ ]*:([0-9]+) .*/\1/' <<<"$line")")
}
stop_all() {
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=() ws_ports=() grpc_ports=()
}
trap stop_all EXIT

run() {  # run LABEL NODES BROKER
  local label=$1 nodes=$2 broker=$3 redis_pid=0 redis_port
  if [[ $broker == redis ]]; then
    redis_port=$(free_port)
    /usr/bin/redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
      --daemonize no >/dev/null &
    redis_pid=$!
    pids+=("$redis_pid")
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  local servers=()
  for ((n = 0; n < nodes; n++)); do
    if [[ $broker == redis ]]; then
      start_node --broker=redis --redis_url="redis://127.0.0.1:$redis_port/0" \
        --redis_prefix=bench --node_name="node$n"
    else
      start_node
    fi
    servers+=("${pids[-1]}")
  done
  sleep 2  # every node's heartbeat seen by the others
  local ports
  ports=$(IFS=,; echo "${ws_ports[*]}")
  local extra
  extra=$(IFS=,; echo "${servers[*]:1}")
  "$root/build/bench/wsedge-bench" --scenario="${SCENARIO:-fanout}" --ws_ports="$ports" \
    --grpc=127.0.0.1:"${grpc_ports[0]}" --server_pid="${servers[0]}" --server_pids="$extra" \
    --broker_pid="$redis_pid" --label="$label" --out="$out" $bench_args >/dev/null
  stop_all
}

variants=(${VARIANTS:-local-1 redis-1 redis-3})
for ((rep = 1; rep <= reps; rep++)); do
  for variant in "${variants[@]}"; do
    run "$variant" "${variant#*-}" "${variant%-*}"
  done
done
# One file per variant, and the ratios of the medians against the local broker.
for label in "${variants[@]}"; do grep "\"label\":\"$label\"" "$out" >"${out%.jsonl}.$label.jsonl"; done
for label in "${variants[@]:1}"; do
  echo "== $label vs ${variants[0]}"
  "$root/build/bench/wsedge-bench" --scenario=compare --baseline="${out%.jsonl}.${variants[0]}.jsonl" \
    --candidate="${out%.jsonl}.$label.jsonl"
done
