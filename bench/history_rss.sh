#!/usr/bin/env bash
# Memory that room history costs: publishes MESSAGES messages of PAYLOAD bytes into each of ROOMS
# rooms nobody is in (so everything stays in history), then reports the server's RSS growth per
# room and per kept message, and wsedge_history_bytes.
# usage: bench/history_rss.sh [ROOMS=10000] [MESSAGES=100] [PAYLOAD=100] [extra wsedge flags…]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rooms=${1:-10000} messages=${2:-100} payload=${3:-100}
shift $(($# < 3 ? $# : 3))
bin=${WSEDGE_BIN:-$root/build/app/wsedge}
ctl=${WSEDGECTL_BIN:-$root/build/tools/wsedgectl}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

exec 3< <(exec "$bin" --bind_address=127.0.0.1 --ws_port=0 --grpc_port=0 --metrics_port=0 "$@")
server=$!
read -r -t 20 -u 3 line
grpc=$(sed -E 's/.* grpc=[^ ]*:([0-9]+) .*/\1/' <<<"$line")
metrics=$(sed -E 's/.* metrics=[^ ]*:([0-9]+) .*/\1/' <<<"$line")
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }

# One line per message, rooms interleaved (the realistic order: many rooms, a few messages each).
data=$(head -c "$payload" /dev/zero | tr '\0' x)
for ((m = 0; m < messages; m++)); do
  for ((r = 0; r < rooms; r++)); do
    printf '{"room":"room-%d","data":"%s"}\n' "$r" "$data"
  done
done >"$work/lines.jsonl"

before=$(rss_kib)
"$ctl" --server=127.0.0.1:"$grpc" --timeout_seconds=120 publish-batch <"$work/lines.jsonl" >/dev/null
sleep 1
after=$(rss_kib)
history=$(curl -s "http://127.0.0.1:$metrics/metrics" | awk '/^wsedge_history_bytes / {print $2}')
awk -v b="$before" -v a="$after" -v r="$rooms" -v m="$messages" -v h="$history" -v p="$payload" '
  BEGIN {
    grow = (a - b) * 1024
    printf "rooms=%d messages_per_room=%d payload=%d B\n", r, m, p
    printf "rss_before=%.1f MiB rss_after=%.1f MiB growth=%.1f MiB\n", b / 1024, a / 1024, grow / 1048576
    printf "per_room=%.0f B per_message=%.0f B wsedge_history_bytes=%s (%.0f B per room)\n",
           grow / r, grow / (r * m), h, h / r
  }'
