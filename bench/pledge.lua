-- wrk: every request a new pledge with its own Idempotency-Key, to the
-- campaign named by $CAMPAIGN (default help-us).
local next_id = 0
local campaign = os.getenv("CAMPAIGN") or "help-us"
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  n = 0
  math.randomseed(os.time() * 100 + id)
  salt = math.random(1, 1000000000)
  path = "/v1/campaigns/" .. campaign .. "/pledges"
end
function request()
  n = n + 1
  local key = string.format("bench-%d-%d-%d", id, salt, n)
  return wrk.format("POST", path,
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = key},
    '{"amount_minor":2500}')
end
