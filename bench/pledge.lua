-- wrk: every request a new pledge with its own Idempotency-Key.
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  n = 0
  math.randomseed(os.time() * 100 + id)
  salt = math.random(1, 1000000000)
end
function request()
  n = n + 1
  local key = string.format("bench-%d-%d-%d", id, salt, n)
  return wrk.format("POST", "/v1/campaigns/help-us/pledges",
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = key},
    '{"amount_minor":2500}')
end
