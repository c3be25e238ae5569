-- wrk: every request a new pledge with its own Idempotency-Key, to the
-- campaign named by $CAMPAIGN (default help-us). Keys are unique across
-- wrk processes too: $KEY_PREFIX (bench/http.sh passes the port) and 8
-- random bytes per thread, so two wrk started in the same second against
-- two instances never send the same key (os.time() alike made them).
local next_id = 0
local campaign = os.getenv("CAMPAIGN") or "help-us"
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
local prefix = os.getenv("KEY_PREFIX") or "bench"
local function random_hex()
  local f = io.open("/dev/urandom", "rb")
  local bytes = f:read(8)
  f:close()
  return (bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
function init(args)
  n = 0
  salt = random_hex()
  path = "/v1/campaigns/" .. campaign .. "/pledges"
end
function request()
  n = n + 1
  local key = string.format("%s-%d-%s-%d", prefix, id, salt, n)
  return wrk.format("POST", path,
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = key},
    '{"amount_minor":2500}')
end
