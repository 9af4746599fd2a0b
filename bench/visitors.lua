-- GET one fixed path as many visitors behind the site's proxy: each request carries its own X-Forwarded-For
-- (the app runs with ADVOCACY_PROXY_COUNT=1), so the per-visitor page limit is not what gets measured.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local n = 0
request = function()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256,
    math.floor(n / 256) % 256, n % 256)
  return wrk.format(nil)
end
