// The Lua scripts of the Redis job store. Each state change is one script, so Redis runs it
// atomically: two claims, even from processes on different hosts, never get the same job.
//
// Keys, under the prefix P (one hash tag per namespace, so a cluster keeps them in one slot):
//   P job:<id>                 hash: the record (absent field = null), plus member, lease, worker
//   P all, P s:<state>         zsets of members ("<16-digit seq>:<id>") scored by createdAt
//   P q:<len>:<version>:<type> zset: queued jobs claimable now, per release and type, by createdAt
//   P delayed                  zset: queued jobs waiting for their runAt (retry backoff), id → runAt
//   P running                  zset: id → lease end;  P expiry: finished id → expiresAt
//   P versions                 set of releases that enqueued ('' = none)
//   P workers                  zset: worker id → alive until;  P worker-versions: worker id → release
//   P wake                     pub/sub channel: a job was enqueued or requeued

/** Shared functions; ARGV[1] is always the prefix. Fields read with HMGET come back false when absent. */
const PRELUDE = `
local P = ARGV[1]
local function jkey(id) return P .. 'job:' .. id end
local function qkey(version, jobType)
  local v = version or ''
  return P .. 'q:' .. #v .. ':' .. v .. ':' .. jobType
end
local function record(id) return redis.call('HGETALL', jkey(id)) end
local function isRunning(id) return redis.call('HGET', jkey(id), 'state') == 'running' end
local function setState(id, to)
  local f = redis.call('HMGET', jkey(id), 'member', 'createdAt', 'state')
  redis.call('ZREM', P .. 's:' .. f[3], f[1])
  redis.call('ZADD', P .. 's:' .. to, f[2], f[1])
  redis.call('HSET', jkey(id), 'state', to)
end
-- running → queued, claimable from runAt
-- runners elsewhere: a job may be claimable (see JobBackend.watch)
local function wake() redis.call('PUBLISH', P .. 'wake', '') end
local function requeue(id, runAt, now)
  wake()
  local f = redis.call('HMGET', jkey(id), 'member', 'createdAt', 'version', 'type')
  redis.call('ZREM', P .. 'running', id)
  setState(id, 'queued')
  redis.call('HSET', jkey(id), 'runAt', runAt, 'updatedAt', now)
  redis.call('HDEL', jkey(id), 'lease', 'worker', 'eta', 'finishedAt', 'expiresAt')
  if tonumber(runAt) <= tonumber(now) then
    redis.call('ZADD', qkey(f[3], f[4]), f[2], f[1])
  else
    redis.call('ZADD', P .. 'delayed', runAt, id)
  end
end
-- queued or running → a finished state, kept until expiresAt
local function settle(id, to, now, expiresAt)
  local f = redis.call('HMGET', jkey(id), 'member', 'version', 'type')
  redis.call('ZREM', P .. 'running', id)
  redis.call('ZREM', P .. 'delayed', id)
  redis.call('ZREM', qkey(f[2], f[3]), f[1])
  setState(id, to)
  redis.call('HSET', jkey(id), 'finishedAt', now, 'updatedAt', now, 'expiresAt', expiresAt)
  redis.call('HDEL', jkey(id), 'lease', 'worker', 'eta')
  redis.call('ZADD', P .. 'expiry', expiresAt, id)
end
`;

// ARGV: P, id, type, payload, maxAttempts, timeoutMs|'', stallMs|'', now, files, version|'', owner|''
const ENQUEUE = `
local id, jobType, now, version = ARGV[2], ARGV[3], ARGV[8], ARGV[10]
if redis.call('EXISTS', jkey(id)) == 1 then return record(id) end
local member = string.format('%016d', redis.call('INCR', P .. 'seq')) .. ':' .. id
redis.call('HSET', jkey(id), 'id', id, 'type', jobType, 'state', 'queued', 'payload', ARGV[4], 'progress', '0',
  'attempts', '0', 'maxAttempts', ARGV[5], 'cancel', '0', 'createdAt', now, 'updatedAt', now, 'runAt', now,
  'files', ARGV[9], 'member', member)
if ARGV[6] ~= '' then redis.call('HSET', jkey(id), 'timeoutMs', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', jkey(id), 'stallMs', ARGV[7]) end
if version ~= '' then redis.call('HSET', jkey(id), 'version', version) end
if ARGV[11] ~= '' then redis.call('HSET', jkey(id), 'owner', ARGV[11]) end
redis.call('ZADD', P .. 'all', now, member)
redis.call('ZADD', P .. 's:queued', now, member)
redis.call('ZADD', qkey(version, jobType), now, member)
redis.call('SADD', P .. 'versions', version)
wake()
return record(id)
`;

// ARGV: P, now, leaseUntil, workerId, version|'', type...
// The oldest head among the queues this worker may take from: its own release's, unversioned
// jobs, and those of releases with no live worker (a canary's jobs run on the canary).
const CLAIM = `
local now = ARGV[2]
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'delayed', '-inf', now)) do
  local f = redis.call('HMGET', jkey(id), 'member', 'createdAt', 'version', 'type')
  redis.call('ZADD', qkey(f[3], f[4]), f[2], f[1])
  redis.call('ZREM', P .. 'delayed', id)
end
local live = {}
for _, w in ipairs(redis.call('ZRANGEBYSCORE', P .. 'workers', '(' .. now, '+inf')) do
  local v = redis.call('HGET', P .. 'worker-versions', w)
  if v then live[v] = true end
end
local best, bestScore, bestKey
for _, v in ipairs(redis.call('SMEMBERS', P .. 'versions')) do
  if v == '' or v == ARGV[5] or not live[v] then
    for i = 6, #ARGV do
      local k = qkey(v, ARGV[i])
      local head = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
      if head[1] then
        local s = tonumber(head[2])
        if best == nil or s < bestScore or (s == bestScore and head[1] < best) then
          best, bestScore, bestKey = head[1], s, k
        end
      end
    end
  end
end
if best == nil then return false end
redis.call('ZREM', bestKey, best)
local id = string.sub(best, 18)
setState(id, 'running')
redis.call('HINCRBY', jkey(id), 'attempts', 1)
redis.call('HSET', jkey(id), 'startedAt', now, 'updatedAt', now, 'lease', ARGV[3], 'worker', ARGV[4], 'progress', '0')
redis.call('HDEL', jkey(id), 'eta', 'message')
redis.call('ZADD', P .. 'running', ARGV[3], id)
return record(id)
`;

// ARGV: P, id, now, leaseUntil, progress, eta|'', message JSON|''. Returns 1: the worker should stop.
const PROGRESS = `
local id = ARGV[2]
if not isRunning(id) then return 1 end
redis.call('HSET', jkey(id), 'progress', ARGV[5], 'updatedAt', ARGV[3], 'lease', ARGV[4])
if ARGV[6] == '' then redis.call('HDEL', jkey(id), 'eta') else redis.call('HSET', jkey(id), 'eta', ARGV[6]) end
if ARGV[7] == '' then redis.call('HDEL', jkey(id), 'message') else redis.call('HSET', jkey(id), 'message', ARGV[7]) end
redis.call('ZADD', P .. 'running', ARGV[4], id)
return tonumber(redis.call('HGET', jkey(id), 'cancel'))
`;

// ARGV: P, id, now, result JSON, files JSON (added), expiresAt
const COMPLETE = `
local id = ARGV[2]
if not isRunning(id) then return false end
local files = cjson.decode(redis.call('HGET', jkey(id), 'files'))
local seen = {}
for _, f in ipairs(files) do seen[f] = true end
for _, f in ipairs(cjson.decode(ARGV[5])) do
  if not seen[f] then seen[f] = true; table.insert(files, f) end
end
settle(id, 'completed', ARGV[3], ARGV[6])
-- cjson writes an empty table as {}, so an empty list is spelled out
redis.call('HSET', jkey(id), 'result', ARGV[4], 'files', #files == 0 and '[]' or cjson.encode(files), 'progress', '100', 'eta', '0')
redis.call('HDEL', jkey(id), 'error')
return record(id)
`;

// ARGV: P, id, now, error JSON, retryAt|'', expiresAt
const FAIL = `
local id = ARGV[2]
if not isRunning(id) then return false end
redis.call('HSET', jkey(id), 'error', ARGV[4])
local f = redis.call('HMGET', jkey(id), 'attempts', 'maxAttempts')
if ARGV[5] ~= '' and tonumber(f[1]) < tonumber(f[2]) then
  requeue(id, ARGV[5], ARGV[3])
else
  settle(id, 'failed', ARGV[3], ARGV[6])
end
return record(id)
`;

// ARGV: P, id, now, expiresAt
const REQUEST_CANCEL = `
local id = ARGV[2]
local state = redis.call('HGET', jkey(id), 'state')
if not state then return false end
if state == 'queued' then
  redis.call('HSET', jkey(id), 'cancel', '1')
  settle(id, 'cancelled', ARGV[3], ARGV[4])
elseif state == 'running' then
  redis.call('HSET', jkey(id), 'cancel', '1', 'updatedAt', ARGV[3])
end
return record(id)
`;

// ARGV: P, id, now, expiresAt
const MARK_CANCELLED = `
local id = ARGV[2]
if not isRunning(id) then return false end
settle(id, 'cancelled', ARGV[3], ARGV[4])
return record(id)
`;

// ARGV: P, id, now, expiresAt. The attempt is given back: a shutdown is not the job's fault.
const RELEASE = `
local id = ARGV[2]
if not isRunning(id) then return false end
if redis.call('HGET', jkey(id), 'cancel') == '1' then
  redis.call('HSET', jkey(id), 'runAt', ARGV[3])
  settle(id, 'cancelled', ARGV[3], ARGV[4])
else
  local attempts = tonumber(redis.call('HGET', jkey(id), 'attempts'))
  redis.call('HSET', jkey(id), 'attempts', math.max(attempts - 1, 0))
  requeue(id, ARGV[3], ARGV[3])
end
return record(id)
`;

// ARGV: P, now, error JSON, expiresAt. Workers that stopped announcing are forgotten first.
const RECOVER = `
local now = ARGV[2]
for _, w in ipairs(redis.call('ZRANGEBYSCORE', P .. 'workers', '-inf', now)) do
  redis.call('HDEL', P .. 'worker-versions', w)
end
redis.call('ZREMRANGEBYSCORE', P .. 'workers', '-inf', now)
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'running', '-inf', now)) do
  local f = redis.call('HMGET', jkey(id), 'cancel', 'attempts', 'maxAttempts')
  if f[1] == '1' then
    redis.call('HSET', jkey(id), 'runAt', now)
    settle(id, 'cancelled', now, ARGV[4])
  elseif tonumber(f[2]) < tonumber(f[3]) then
    redis.call('HSET', jkey(id), 'error', ARGV[3])
    requeue(id, now, now)
  else
    redis.call('HSET', jkey(id), 'error', ARGV[3], 'runAt', now)
    settle(id, 'failed', now, ARGV[4])
  end
  table.insert(out, record(id))
end
return out
`;

// ARGV: P, now
const REMOVE_EXPIRED = `
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'expiry', '-inf', ARGV[2])) do
  local f = redis.call('HMGET', jkey(id), 'member', 'state')
  if f[2] == 'completed' or f[2] == 'failed' or f[2] == 'cancelled' then
    table.insert(out, record(id))
    redis.call('ZREM', P .. 'all', f[1])
    redis.call('ZREM', P .. 's:' .. f[2], f[1])
    redis.call('DEL', jkey(id))
  end
  redis.call('ZREM', P .. 'expiry', id)
end
return out
`;

// ARGV: P, state|'', limit. Newest first: by createdAt, then by insertion.
const LIST = `
local members = redis.call('ZREVRANGE', ARGV[2] == '' and P .. 'all' or P .. 's:' .. ARGV[2], 0, tonumber(ARGV[3]) - 1)
local out = {}
for _, m in ipairs(members) do table.insert(out, record(string.sub(m, 18))) end
return out
`;

// ARGV: P
const COUNTS = `
local out = {}
for _, s in ipairs({'queued', 'running', 'completed', 'failed', 'cancelled'}) do
  table.insert(out, redis.call('ZCARD', P .. 's:' .. s))
end
return out
`;

// ARGV: P, workerId, version, until (version '' retires the worker)
const ANNOUNCE = `
if ARGV[3] == '' then
  redis.call('ZREM', P .. 'workers', ARGV[2])
  redis.call('HDEL', P .. 'worker-versions', ARGV[2])
else
  redis.call('ZADD', P .. 'workers', ARGV[4], ARGV[2])
  redis.call('HSET', P .. 'worker-versions', ARGV[2], ARGV[3])
end
return 1
`;

const BODIES = {
  enqueue: ENQUEUE,
  claim: CLAIM,
  progress: PROGRESS,
  complete: COMPLETE,
  fail: FAIL,
  requestCancel: REQUEST_CANCEL,
  markCancelled: MARK_CANCELLED,
  release: RELEASE,
  recover: RECOVER,
  removeExpired: REMOVE_EXPIRED,
  list: LIST,
  counts: COUNTS,
  announce: ANNOUNCE,
};

export type ScriptName = keyof typeof BODIES;

/** Every script with the shared functions in front. */
export const SCRIPTS = Object.fromEntries(Object.entries(BODIES).map(([name, body]) => [name, PRELUDE + body])) as Record<ScriptName, string>;
