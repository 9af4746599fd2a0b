-- Letter submissions through the JSON API: a distinct constituent each time, across real ZIP codes.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local rows = {}
for line in io.lines(os.getenv("BENCH_ZIPS")) do
  local zip, state = line:match("^(%d+) (%u%u)")
  rows[#rows + 1] = {zip, state}
end
local counter = 0
local thread_id = 0
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
end

function init(args)
  thread_id = tonumber(tid) or 0
  math.randomseed(os.time() + thread_id * 7919)
end

local path = os.getenv("BENCH_SUBMIT_PATH")
local run = os.getenv("BENCH_RUN_ID")
request = function()
  counter = counter + 1
  local row = rows[math.random(#rows)]
  local body = string.format(
    '{"first_name":"Bench","last_name":"Writer %d","email":"w-%s-%d-%d@example.org","address":"%d%03d Main St",' ..
    '"city":"Springfield","state":"%s","zip":"%s","message":"Please help.","consent":true}',
    counter, run, thread_id, counter, counter, thread_id, row[2], row[1])
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end
