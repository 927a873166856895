-- Per-client rate limits on the nginx data plane, as src/gateway/rate-limit.ts counts them: a
-- zone's rate shared by every route that names it, each route's own burst, a request over it
-- refused at once with 429. A client is its verified API key (by an HMAC with a per-start pepper
-- against the table the Node side pushes: no key is ever in nginx's config or logs), else its address.
local limits_dict = ngx.shared.pitchey_limits

local _M = {}

-- Pushed with the pools: the pepper and, per API key, its HMAC and its id (`key:…`).
local keys = { pepper = nil, ids = {} }

function _M.parse_line(f)
  if f[1] == "pepper" then
    keys = { pepper = ngx.decode_base64(f[2] or ""), ids = {} }
    return true
  elseif f[1] == "key" then
    keys.ids[f[2]] = f[3]
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
function _M.take(zone, rate, burst, client)
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

return _M
