-- ZIP lookups through the JSON API, cycling through real ZIP codes.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local zips = {}
for line in io.lines(os.getenv("BENCH_ZIPS")) do
  zips[#zips + 1] = line:match("^(%d+)")
end
local i = math.random(#zips)
request = function()
  i = i % #zips + 1
  return wrk.format("GET", "/api/v1/representatives?zip=" .. zips[i])
end
