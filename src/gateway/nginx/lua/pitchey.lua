-- The nginx data plane's hot path: which instance takes a request (weights per track, fewest in
-- flight within the track, draining and unhealthy instances left out), and what each answer adds
-- to the per-track statistics. The Node gateway pushes the pools here (no reload) and reads the
-- statistics back once a second; whatever this file does not decide goes to the Node gateway.
local balancer = require "ngx.balancer"
local limits = require "pitchey_limits"

local state_dict = ngx.shared.pitchey_state
local stats_dict = ngx.shared.pitchey_stats

local _M = {}

-- The routes, by the index the config's locations and the statistics name them with (init phase).
local routes = {}
-- Whether each request nginx answers is logged (the config's access_log, see request-log.ts).
local log_requests = false

function _M.init(list, logged)
  routes = list
  log_requests = logged
end

-- This worker's parse of the pushed state, redone only when the pushed generation changes.
local parsed = { generation = -1, pools = {} }

local function split(line, sep)
  local out = {}
  for field in (line .. sep):gmatch("(.-)" .. sep) do out[#out + 1] = field end
  return out
end

-- The state, one record a line, fields by tab:
--   pool  <service> <sticky 0|1> <track=weight,...>
--   inst  <service> <id> <host> <port> <track> <version> <takes traffic 0|1>
-- Each pool's live tracks (a positive weight and an instance taking traffic), with their weights
-- summed in order, are worked out here once per push instead of on every request.
-- Each live track holds its own instances, so a request's pick reads only its track's; a pool of
-- one live track (no release under way) skips the roll, and a track of one instance skips the
-- in-flight reads: no loop on the common path, which LuaJIT then compiles whole.
local function live_tracks(pool)
  local by_track, total = {}, 0
  pool.tracks = {}
  for _, inst in ipairs(pool.instances) do
    local w = pool.weights[inst.track] or 0
    if w > 0 then
      local t = by_track[inst.track]
      if t == nil then
        total = total + w
        t = { track = inst.track, upto = total, instances = {} }
        by_track[inst.track] = t
        pool.tracks[#pool.tracks + 1] = t
      end
      t.instances[#t.instances + 1] = inst
    end
  end
  pool.total = total
  pool.only = #pool.tracks == 1 and pool.tracks[1] or nil
end

local function parse(text)
  local pools = {}
  for line in text:gmatch("[^\n]+") do
    local f = split(line, "\t")
    if f[1] == "pool" then
      local weights = {}
      for track, w in (f[4] or ""):gmatch("(%w+)=([%d.]+)") do weights[track] = tonumber(w) end
      pools[f[2]] = { sticky = f[3] == "1", weights = weights, instances = {} }
    elseif f[1] == "inst" and pools[f[2]] ~= nil and f[8] == "1" then
      local list = pools[f[2]].instances
      -- `key`: its in-flight count's; `stat`: what its answers are counted under, with the route before it.
      list[#list + 1] = { id = f[3], host = f[4], port = tonumber(f[5]), track = f[6], version = f[7], service = f[2], key = "if\t" .. f[2] .. "\t" .. f[3], stat = f[3] .. "\t" .. f[6] .. "\t" .. f[7] }
    else
      limits.parse_line(f)
    end
  end
  for _, pool in pairs(pools) do live_tracks(pool) end
  return pools
end

local function current()
  local generation = state_dict:get("generation") or 0
  if generation ~= parsed.generation then
    parsed = { generation = generation, pools = parse(state_dict:get("state") or "") }
  end
  return parsed.pools
end

-- Control: the Node side's push. Answers the in-flight count of every instance that has one.
function _M.push()
  ngx.req.read_body()
  local body = ngx.req.get_body_data() or ""
  -- The Node side pushes every 100 ms: only a change makes the workers parse it again.
  if body ~= state_dict:get("state") then
    state_dict:set("state", body)
    state_dict:incr("generation", 1, 0)
  end
  local out = {}
  for _, key in ipairs(state_dict:get_keys(0)) do
    if key:sub(1, 3) == "if\t" then
      local n = state_dict:get(key)
      if n ~= nil and n > 0 then out[#out + 1] = key:sub(4) .. "\t" .. n end
    end
  end
  ngx.say(table.concat(out, "\n"))
end

-- An instance's in-flight count lives under its `key` ("if", service, id: what push() answers).
local function inflight(inst)
  return state_dict:get(inst.key) or 0
end

-- A track with a live instance and a positive weight, chosen at random by weight.
local function choose_track(pool)
  if pool.only ~= nil then return pool.only end
  if pool.total == 0 then return nil end
  local roll = math.random() * pool.total
  local tracks = pool.tracks
  -- Two tracks (a release under way) without a loop too; three or more only in a test.
  if roll < tracks[1].upto then return tracks[1] end
  if #tracks == 2 then return tracks[2] end
  for _, t in ipairs(tracks) do
    if roll < t.upto then return t end
  end
  return tracks[#tracks]
end

-- The track's instance with the fewest requests in flight.
local function pick(track)
  local list = track.instances
  if #list == 1 then return list[1] end
  local best, best_n
  for _, inst in ipairs(list) do
    local n = inflight(inst)
    if best == nil or n < best_n then best, best_n = inst, n end
  end
  return best
end

local IDEMPOTENT = { GET = true, HEAD = true, OPTIONS = true, PUT = true, DELETE = true }

-- A client over its rate on a limited route: the Node gateway's 429 problem.
local function refuse(route, wait)
  ngx.header["x-pitchey-version"] = route.version
  _M.problem(429, (route.limited:gsub("%%WAIT%%", wait)), tostring(wait))
  return ngx.exit(ngx.HTTP_OK)
end

-- Access phase of a route: the rate limit, then the instance; or the request goes to the Node
-- gateway for what is not decided here (a pinned track, a bearer token to verify before it is
-- counted, sticky clients, no instance to take it).
function _M.access(index)
  local route = routes[index]
  -- Single headers through ngx.var: building the whole header table costs more than the rest.
  local var = ngx.var
  if var.http_x_pitchey_track ~= nil then return ngx.exec("@node") end
  local authorization, api_key = var.http_authorization, var.http_x_api_key
  local current_pools = current()
  if route.zone ~= nil then
    if authorization ~= nil then return ngx.exec("@node") end
    local wait = limits.take(route.zone, route.rate, route.burst, limits.client(api_key))
    if wait > 0 then return refuse(route, wait) end
  end
  local service, prefix, strip = route.service, route.prefix, route.strip
  local pool = current_pools[service]
  if pool == nil or pool.sticky then return ngx.exec("@node") end
  local track = choose_track(pool)
  local inst = track and pick(track)
  if inst == nil then return ngx.exec("@node") end
  ngx.ctx.inst = inst
  local credentialed = api_key ~= nil or (authorization or ""):lower():sub(1, 7) == "bearer "
  -- In a variable, not ngx.ctx: it outlives the internal redirect to an error page, whose log
  -- phase must still release the count and count the answer. One variable: each access costs.
  state_dict:incr(inst.key, 1, 0)
  var.pitchey_pick = inst.key .. "\n" .. (index - 1) .. "\t" .. inst.stat .. (credentialed and "\t1" or "\t0")
  local uri = var.request_uri
  var.pitchey_uri = strip and ("/" .. uri:sub(#prefix + 1)) or uri
end

-- Balancer phase: the chosen instance, tried once. A request it fails goes to the location's error
-- page (see `unavailable`), which hands what may be retried to the Node gateway.
function _M.balance()
  local inst = ngx.ctx.inst
  local ok, err = balancer.set_current_peer(inst.host, inst.port)
  if not ok then
    ngx.log(ngx.ERR, "pitchey: cannot use ", inst.host, ":", inst.port, ": ", err)
    return ngx.exit(502)
  end
end

local LOG_RATIO = math.log(1.1)

-- The latency bucket of latency-histogram.ts: 0 up to 1 ms, then 10 % wider each, at most 130.
local function latency_bucket(ms)
  if not (ms > 1) then return 0 end
  return math.min(130, math.ceil(math.log(ms) / LOG_RATIO))
end

-- "000" to "999" by value: three decimals without string.format, which LuaJIT runs uncompiled.
local DIGITS3 = {}
for i = 0, 999 do DIGITS3[i] = (i < 10 and "00" or i < 100 and "0" or "") .. i end

-- `n` thousandths as "<whole>.<three digits>" (LuaJIT writes a whole float without ".0").
local function thousandths(n)
  local whole = math.floor(n / 1000)
  return whole .. "." .. DIGITS3[n - whole * 1000]
end

-- A time as pino writes it: ISO 8601 in UTC with milliseconds. The part up to the second is
-- kept: a request's start and end, and the requests around it, mostly fall in the same second.
local stamp_second, stamp = -1, ""
local function iso_time(t)
  local ms = math.floor(t * 1000 + 0.5)
  local second = math.floor(ms / 1000)
  if second ~= stamp_second then
    stamp_second, stamp = second, os.date("!%Y-%m-%dT%H:%M:%S", second)
  end
  return stamp .. "." .. DIGITS3[ms - second * 1000] .. "Z"
end

-- What the request log's lines need besides nginx's own variables (it is written after this
-- handler: the Lua module runs its log handler first).
local function request_log_times(var)
  local start, now = ngx.req.start_time(), ngx.now()
  var.pitchey_log_start = iso_time(start)
  var.pitchey_log_time = iso_time(now)
  var.pitchey_log_ms = thousandths(math.max(0, math.floor((now - start) * 1e6 + 0.5)))
end

-- Log phase (every location, error pages included): releases the in-flight count and counts the
-- answer per second, route, instance, status, method, whether credentials were shown, and latency
-- bucket; unless the request was handed to the Node gateway (nothing after the key), which counts it itself.
function _M.log()
  local var = ngx.var
  if log_requests then request_log_times(var) end
  local pick = var.pitchey_pick
  if pick == nil or pick == "" then return end
  local cut = pick:find("\n", 1, true)
  state_dict:incr(pick:sub(1, cut - 1), -1, 0)
  local stat = pick:sub(cut + 1)
  if stat == "" then return end
  -- Time to the upstream's headers (the last try's), as the Node gateway measures it.
  -- One try, so one figure; more than one ("0.001, 0.002") only if that ever changes.
  local header_time = var.upstream_header_time
  header_time = tonumber(header_time) or tonumber((header_time or ""):match("([%d.]+)$") or "")
  local ms = header_time and header_time * 1000 or (ngx.now() - ngx.req.start_time()) * 1000
  local second = math.floor(ngx.now())
  local ok, err = stats_dict:incr(second .. "\t" .. stat .. "\t" .. ngx.status .. "\t" .. ngx.req.get_method() .. "\t" .. latency_bucket(ms), 1, 0)
  if not ok then ngx.log(ngx.WARN, "pitchey: statistics not recorded: ", err) end
end

-- Error page of an upstream nginx could not reach: a request that may be retried (idempotent, no
-- body) goes to the Node gateway, which tries another instance or holds it until one is back, as
-- it does for its own; anything else gets the problem at once.
function _M.unavailable(head)
  local var = ngx.var
  if IDEMPOTENT[ngx.req.get_method()] and var.http_content_length == nil and var.http_transfer_encoding == nil then
    -- Its count is released here still; its answer is the Node gateway's to count.
    local pick = var.pitchey_pick or ""
    var.pitchey_pick = pick:sub(1, (pick:find("\n", 1, true) or #pick) - 1) .. "\n"
    return ngx.exec("@node")
  end
  return _M.problem(502, head, "5")
end

-- Control: every count not read yet, this second's too, so an analysis that reads now sees the
-- answers up to now. Counts are keyed by the second they were logged in: a second already over
-- never grows again and is removed as it is read; this second's are read by taking off what was
-- read (an increment that comes between is kept for the next read, never lost).
function _M.drain_stats()
  local now = math.floor(ngx.now())
  local out = {}
  for _, key in ipairs(stats_dict:get_keys(0)) do
    local second = tonumber(key:match("^(%d+)\t"))
    if second ~= nil then
      local n = stats_dict:get(key)
      if second < now then
        stats_dict:delete(key)
      elseif n ~= nil and n > 0 then
        stats_dict:incr(key, -n)
      end
      if n ~= nil and n > 0 then out[#out + 1] = key .. "\t" .. n end
    end
  end
  ngx.say(table.concat(out, "\n"))
end

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

local function json_string(s)
  return '"' .. (s:gsub('[%c"\\]', function(c) return ESCAPES[c] or string.format("\\u%04x", c:byte()) end)) .. '"'
end

-- An error page: the RFC 9457 body the Node gateway would send, whose fixed part (type, title,
-- status, code, detail) the config holds, with this request's path and id added.
function _M.problem(status, head, retry_after)
  ngx.status = status
  ngx.header["Content-Type"] = "application/problem+json"
  if retry_after ~= nil then ngx.header["Retry-After"] = retry_after end
  -- A request line whose path did not parse has no $request_uri: the path as the client wrote it.
  local var = ngx.var
  local path = (var.request_uri or (var.request or ""):match("^%S+%s+(%S+)") or "/"):match("^[^?]*")
  ngx.print(head, ',"instance":', json_string(path), ',"request_id":', json_string(var.pitchey_request_id), "}")
end

return _M
