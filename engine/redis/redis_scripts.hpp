// The Lua scripts the Redis engine runs (each one atomic in Redis). Redis 5 or later (streams;
// TIME before a write needs script effects replication, the default from 5).
#pragma once

namespace wsedge::engine::redis::scripts {

// Put in front of the scripts that count a room's members (see script_text): the counts of the
// hash KEYS[3] (incarnation → members) whose incarnation's heartbeat in the set KEYS[4] is at most
// `window` ms old, summed.
inline constexpr const char* live_members = R"lua(
local function live_members(window)
  local t = redis.call('TIME')
  local alive = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - window
  local members = 0
  local counts = redis.call('HGETALL', KEYS[3])
  for i = 1, #counts, 2 do
    local seen = redis.call('ZSCORE', KEYS[4], counts[i])
    if seen and tonumber(seen) >= alive then members = members + tonumber(counts[i + 1]) end
  end
  return members
end
)lua";

// A room publish. KEYS: the room's meta hash (epoch, seq), its history stream, its members per
// node process (incarnation), the incarnations' heartbeat set. ARGV: an epoch for a room Redis does
// not know, data, from, ts, history size, history ttl (s), the room's channel, how recent a
// heartbeat counts (ms). Returns {seq, epoch, members on live nodes}; the channel gets
// "seq\nepoch\nts\nfrom\ndata".
inline constexpr const char* publish = R"lua(
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
if tonumber(ARGV[5]) > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '0-' .. seq,
             'd', ARGV[2], 'f', ARGV[3], 't', ARGV[4])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
end
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('PUBLISH', ARGV[7], seq .. '\n' .. epoch .. '\n' .. ARGV[4] .. '\n' .. ARGV[3] .. '\n' .. ARGV[2])
return {seq, epoch, live_members(tonumber(ARGV[8]))}
)lua";

// A room's position and kept messages. KEYS: meta hash, stream, members per incarnation, the
// incarnations' heartbeat set. ARGV: after this seq ("-":
// the position only), at most this many of the newest (0: all), an epoch to open the room with
// when Redis does not know it ("": leave it unknown), the room's ttl (s).
// Returns {seq, epoch ("" when unknown), first kept seq, kept count, entries newest first,
// members on live nodes}.
inline constexpr const char* read = R"lua(
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  if ARGV[3] == '' then return {0, '', 0, 0, {}, 0} end
  epoch = ARGV[3]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local first = 0
local head = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #head > 0 then first = tonumber(string.match(head[1][1], '%-(%d+)$')) end
local kept = redis.call('XLEN', KEYS[2])
local entries = {}
if ARGV[1] ~= '-' then
  local after = '0-' .. (tonumber(ARGV[1]) + 1)
  if tonumber(ARGV[2]) > 0 then
    entries = redis.call('XREVRANGE', KEYS[2], '+', after, 'COUNT', ARGV[2])
  else
    entries = redis.call('XREVRANGE', KEYS[2], '+', after)
  end
end
return {seq, epoch, first, kept, entries, live_members(tonumber(ARGV[5]))}
)lua";

// A node's heartbeat. KEYS: the nodes' heartbeat set, the incarnations' one. ARGV: the node's
// name, how recent a heartbeat counts (ms), this process' incarnation (name#random: a node
// restarted under the same name does not inherit the member counts of the one that died).
// Returns the live nodes' names.
inline constexpr const char* heartbeat = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 3600000)
return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '+inf')
)lua";

// The ingestion lease: taken when free, renewed by its holder. KEYS: the lease. ARGV: the
// node's name, the lease's length (ms). Returns 1 when this node holds it.
inline constexpr const char* lease = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
)lua";

// Gives up the ingestion lease if this node still holds it. KEYS: the lease. ARGV: the node.
inline constexpr const char* release_lease = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

// One event into the cluster's event stream. KEYS: the stream, its id counter, the watchers'
// filters (node → "<kinds> <prefix length> <prefix>" repeated), the nodes' heartbeat set.
// ARGV: how many entries the stream keeps (MAXLEN ~), how recent a heartbeat counts (ms),
// "1" when the event is added only if a watcher on a live node wants it, the event's kind (its
// bit in a filter's kinds), its room, the highest id the calling node has read, then its
// fields. Returns the event's id as a string, or 0 when no watcher wanted it. Ids go up by one
// per event, so a reader sees a gap exactly. A counter Redis lost starts again at the time in
// microseconds; one Redis took back to an older state (an old snapshot, a lagging replica)
// starts above what the node read: never an id a reader already has.
inline constexpr const char* append_event = R"lua(
local function wanted(kind, room, window)
  local t = redis.call('TIME')
  local alive = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - window
  local all = redis.call('HGETALL', KEYS[3])
  for i = 1, #all, 2 do
    local seen = redis.call('ZSCORE', KEYS[4], all[i])
    if seen and tonumber(seen) >= alive then
      local v = all[i + 1]
      local pos = 1
      while pos <= #v do
        local a = string.find(v, ' ', pos, true)
        local b = a and string.find(v, ' ', a + 1, true)
        if not b then break end
        local kinds = tonumber(string.sub(v, pos, a - 1)) or 0
        local length = tonumber(string.sub(v, a + 1, b - 1)) or 0
        local prefix = string.sub(v, b + 1, b + length)
        pos = b + length + 1
        if math.floor(kinds / 2 ^ kind) % 2 == 1 and
           (length == 0 or (room ~= '' and string.sub(room, 1, length) == prefix)) then
          return true
        end
      end
    end
  end
  return false
end
if ARGV[3] == '1' and not wanted(tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[2])) then
  return 0
end
local id = redis.call('INCR', KEYS[2])
if id == 1 then
  local t = redis.call('TIME')
  id = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  if #top > 0 then
    local last = tonumber(string.match(top[1][1], '%-(%d+)$')) or 0
    if last >= id then id = last + 1 end
  end
  redis.call('SET', KEYS[2], string.format('%.0f', id))
end
local read = tonumber(ARGV[6]) or 0
if id <= read then
  id = read + 1
  redis.call('SET', KEYS[2], string.format('%.0f', id))
end
local sid = string.format('%.0f', id)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '0-' .. sid, unpack(ARGV, 7))
return sid
)lua";

}  // namespace wsedge::engine::redis::scripts
