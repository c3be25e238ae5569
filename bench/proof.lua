-- wrk: GET the inclusion proof of a random entry of campaign "bench"
-- among its first ENTRIES (bench/http.sh), at the tree's current size.
local n = tonumber(os.getenv("ENTRIES"))
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
request = function()
    return wrk.format("GET", "/v1/campaigns/bench/proof/inclusion?seq=" .. math.random(1, n))
end
