-- wrk: log an expense per request (POST, bearer token from BENCH_TOKEN). Each thread starts at
-- its own point, so concurrent requests spread over ~300 dates as a team's would.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  counter = id * 7919
end

request = function()
  counter = counter + 1
  local date = string.format("2026-%02d-%02d", counter % 11 + 1, (counter * 7) % 28 + 1)
  local body = string.format('{"amount":"%d.%02d","date":"%s","merchant":"wrk %d","tags":["bench"]}',
    counter % 900 + 1, counter % 100, date, counter)
  return wrk.format(nil, wrk.path, nil, body)
end
