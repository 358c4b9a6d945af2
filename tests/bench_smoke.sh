#!/usr/bin/env bash
# Smoke run of every wsedge-bench scenario against a real wsedge: checks the tool's own
# accounting (nothing lost at a low rate, counts consistent with the server's), never a timing.
set -euo pipefail
wsedge=$1 bench=$2
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# The server's stdout arrives on fd 3; its first line names the ports (20 s deadline).
exec 3< <(exec "$wsedge" --bind_address=127.0.0.1 --ws_port=0 --grpc_port=0 --metrics_port=0)
server=$!
read -r -t 20 -u 3 line
ws=$(sed -E 's/.* ws=[^ ]*:([0-9]+) .*/\1/' <<<"$line")
grpc=$(sed -E 's/.* grpc=[^ ]*:([0-9]+) .*/\1/' <<<"$line")
common=(--ws_port="$ws" --grpc=127.0.0.1:"$grpc" --server_pid="$server" --out="$work/results.jsonl")

"$bench" --scenario=fanout "${common[@]}" --connections=60 --rooms=6 --rate=50,200 --duration_s=2 2>/dev/null
# Client publishing: 200/s over 6 publisher members is ~33/s each, under the default message_rate.
"$bench" --scenario=fanout --publisher=ws "${common[@]}" --connections=60 --rooms=6 --rate=200 \
  --duration_s=2 2>/dev/null
# PublishBatch: 200/s as 40 calls/s of 5.
"$bench" --scenario=fanout --grpc_batch=5 "${common[@]}" --connections=60 --rooms=6 --rate=200 \
  --duration_s=2 2>/dev/null
# Client messages to two backends: 200/s over 60 connections, under the default message_rate.
"$bench" --scenario=events --watchers=2 "${common[@]}" --connections=60 --rooms=6 --rate=200 \
  --duration_s=2 2>/dev/null
"$bench" --scenario=connect "${common[@]}" --connections=100 --rooms=10 2>/dev/null
"$bench" --scenario=idle "${common[@]}" --connections=100 --rooms=10 2>/dev/null
"$bench" --scenario=grpc "${common[@]}" --concurrency=2 --duration_s=1 2>/dev/null
# No server: 200 publishes/s to rooms of 10 for 1 s is 2,000 writes, all of them read back.
"$bench" --scenario=write_floor --connections=60 --rooms=6 --rate=200 --duration_s=1 \
  --out="$work/results.jsonl" 2>/dev/null
"$bench" --scenario=compare --baseline="$work/results.jsonl" --candidate="$work/results.jsonl" >"$work/compare.txt"

/usr/bin/python3 - "$work/results.jsonl" "$work/compare.txt" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
by = {}
for r in runs:
    by.setdefault(r["scenario"], []).append(r)
fanout = by["fanout"]
assert [(r["publisher"], r["grpc_batch"]) for r in fanout] == [
    ("grpc", 1), ("grpc", 1), ("ws", 1), ("grpc", 5)], fanout
for r in fanout:
    assert r["publish_errors"] == 0, r
    assert r["publishes"] == r["rate"] * 2, r                 # the pacer sent its whole schedule
    assert r["lost"] == 0 and r["received"] == r["expected"], r
    if r["publisher"] == "grpc":
        assert r["server_recipients"] == r["expected"], r      # the server agrees on the count
    assert r["expected"] == r["publishes"] * 10, r            # 60 connections / 6 rooms
    assert r["server_cpu_s"] > 0 and r["p50_ms"] > 0, r
events = by["events"][0]
assert events["sends"] == 400 and events["refused"] == 0, events
assert events["events_received"] == 2 * 400 and events["lost"] == 0, events  # each watcher all
assert events["watchers_ended"] == 0 and events["p50_ms"] > 0, events
assert by["connect"][0]["subscribed"] == 100, by["connect"]
assert by["idle"][0]["subscribed"] == 100, by["idle"]
assert by["idle"][0]["server_rss_after_mb"] > 0, by["idle"]
assert by["grpc"][0]["calls"] > 0 and by["grpc"][0]["errors"] == 0, by["grpc"]
assert by["grpc"][0]["calls_per_server_cpu_s"] > 0, by["grpc"]
floor = by["write_floor"][0]
assert floor["writes"] == 200 * 10 and floor["lost_bytes"] == 0, floor
assert floor["sender_cpu_s"] > 0 and floor["sender_us_per_write"] > 0, floor
compare = open(sys.argv[2]).read()
assert "x1.000" in compare, compare                             # a run compared with itself
print("bench smoke: accounting consistent over", len(runs), "runs")
PY
