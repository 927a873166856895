-- Per-client rate limits on the nginx data plane, as src/gateway/rate-limit.ts counts them: a
-- zone's rate shared by every route that names it, each route's own burst, a request over it
-- refused at once with 429. A client is its verified API key (by an HMAC with a per-start pepper
-- against the table the Node side pushes: no key is ever in nginx's config or logs), else its address.
-- With replicas sharing their state (PITCHEY_GATEWAY_STATE), the bucket is counted in Redis by the
-- script the Node plane runs (shared-rate-limit.ts), under the same key, so replicas of either
-- plane count one limit; while Redis fails, each replica counts alone, as the Node plane does.
local limits_dict = ngx.shared.pitchey_limits

local _M = {}

-- Pushed with the pools: the pepper and, per API key, its HMAC and its id (`key:…`).
local keys = { pepper = nil, ids = {} }

-- Pushed with the keys when limits are shared: where Redis is and what to run there (or nil).
local redis = nil

function _M.parse_line(f)
  if f[1] == "pepper" then
    keys = { pepper = ngx.decode_base64(f[2] or ""), ids = {} }
    redis = nil
    return true
  elseif f[1] == "key" then
    keys.ids[f[2]] = f[3]
    return true
  elseif f[1] == "redis" then
    -- redis <host> <port> <db> <username b64> <password b64> <key format> <script sha1> <script b64>
    local host, port, db = f[2], tonumber(f[3]), tonumber(f[4])
    redis = {
      host = host,
      port = port,
      db = db,
      username = ngx.decode_base64(f[5] or ""),
      password = ngx.decode_base64(f[6] or ""),
      key = f[7],
      sha = f[8],
      script = ngx.decode_base64(f[9] or ""),
      -- The database is chosen on connecting: connections to another one are not shared.
      pool = "pitchey_redis:" .. host .. ":" .. port .. ":" .. db,
    }
    return true
  end
  return false
end

-- The client a request is counted as: its API key's id when the key is known, else its address.
function _M.client(key)
  if key ~= nil and key ~= "" and keys.pepper ~= nil then
    local id = keys.ids[ngx.encode_base64(ngx.hmac_sha1(keys.pepper, key))]
    if id ~= nil then return id end
  end
  return "ip:" .. ngx.var.remote_addr
end

-- nginx's leaky bucket (its `excess`, refilled at `rate` a second): 0 when the request may pass,
-- else the whole seconds after which it would.
local function take_here(zone, rate, burst, client)
  local key = zone .. "\0" .. client
  local now = ngx.now() * 1000
  local excess = 0
  -- The bucket is the time it was last counted (ms) and its excess in thousandths, in the entry's
  -- flags: two numbers, no string to build and parse on every request.
  local at, milli = limits_dict:get(key)
  if at ~= nil then excess = math.max(0, (milli or 0) / 1000 - rate * (now - at) / 1000 + 1) end
  if excess > burst then return math.max(1, math.ceil((excess - burst) / rate)) end
  -- Forgotten once the bucket would be empty anyway; the dictionary drops the least recent when full.
  limits_dict:set(key, now, math.ceil((excess + 1) / rate) + 1, math.floor(excess * 1000 + 0.5))
  return 0
end

-- Redis, in its protocol (RESP): what a command is sent as, and one reply read back (a number, a
-- status or a string; nil and the message for an error, `true` third when Redis itself refused).
local function resp(args)
  local out = { "*" .. #args .. "\r\n" }
  for _, a in ipairs(args) do
    local s = tostring(a)
    out[#out + 1] = "$" .. #s .. "\r\n" .. s .. "\r\n"
  end
  return table.concat(out)
end

local function call(sock, args)
  local sent, err = sock:send(resp(args))
  if not sent then return nil, err end
  local line, rerr = sock:receive()
  if not line then return nil, rerr end
  local kind, rest = line:sub(1, 1), line:sub(2)
  if kind == ":" then return tonumber(rest) end
  if kind == "+" then return rest end
  if kind == "-" then return nil, rest, true end
  if kind == "$" then
    local n = tonumber(rest)
    if n < 0 then return false end
    local data, derr = sock:receive(n + 2)
    if not data then return nil, derr end
    return data:sub(1, n)
  end
  return nil, "unexpected reply from Redis: " .. line
end

-- As the Node plane's Redis commands: an answer within 1 s, or the request is counted here.
local TIMEOUT_MS = 1000
-- While Redis fails, requests skip it for this long between tries (per worker).
local RETRY_S = 1

local function take_shared(zone, rate, burst, client)
  local sock = ngx.socket.tcp()
  sock:settimeouts(TIMEOUT_MS, TIMEOUT_MS, TIMEOUT_MS)
  local ok, err = sock:connect(redis.host, redis.port, { pool = redis.pool })
  if not ok then return nil, err end
  if sock:getreusedtimes() == 0 then
    local setup = {}
    if redis.password ~= "" then setup[#setup + 1] = redis.username ~= "" and { "AUTH", redis.username, redis.password } or { "AUTH", redis.password } end
    if redis.db ~= 0 then setup[#setup + 1] = { "SELECT", redis.db } end
    for _, args in ipairs(setup) do
      local answer, serr = call(sock, args)
      if answer == nil then
        sock:close()
        return nil, args[1] .. ": " .. tostring(serr)
      end
    end
  end
  local key = string.format(redis.key, zone, client)
  local wait, cerr, refused = call(sock, { "EVALSHA", redis.sha, 1, key, rate, burst })
  -- A Redis that has not loaded the script (restarted, or never run by a Node replica) gets it whole.
  if refused and cerr:sub(1, 8) == "NOSCRIPT" then wait, cerr = call(sock, { "EVAL", redis.script, 1, key, rate, burst }) end
  if type(wait) ~= "number" then
    sock:close()
    return nil, cerr or "unexpected reply from Redis"
  end
  sock:setkeepalive(60000, 64)
  return wait
end

local shared_up, retry_at = true, 0

-- Told after each try whether Redis answered: logged when counting falls back and when it is shared again.
local function mark(up, err)
  if up == shared_up then return end
  shared_up = up
  if up then
    ngx.log(ngx.WARN, "pitchey: rate limits are counted over all gateway replicas again (Redis answers)")
  else
    ngx.log(ngx.WARN, "pitchey: rate limits are counted by this gateway replica alone until Redis answers: ", err)
  end
end

-- 0 when the request may pass, else the whole seconds after which it would: in Redis when limits
-- are shared and it answers, else here.
function _M.take(zone, rate, burst, client)
  if redis ~= nil and ngx.now() >= retry_at then
    local wait, err = take_shared(zone, rate, burst, client)
    if wait ~= nil then
      mark(true)
      return wait
    end
    retry_at = ngx.now() + RETRY_S
    mark(false, err)
  end
  return take_here(zone, rate, burst, client)
end

return _M
