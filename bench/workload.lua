-- One benchmark workload for wrk (bench/wrk.py runs it; see bench/__init__.py).
--
--   wrk ... -s bench/workload.lua URL -- MODE METHOD PATH BODY AUTHORIZATION TAG [CONNECTION]
--
-- MODE "fixed" sends the same request again and again. MODE "create-delete" alternates:
-- it POSTs {"name": ...} to PATH, and the next request of the same thread DELETEs
-- PATH/<_id of a key it created>; names are unique per run (TAG), thread and request.
-- Every response outside 2xx is counted. done() prints one line, "BENCH_RESULT {json}",
-- with the counts and the latency percentiles in microseconds. CONNECTION "close" asks the
-- server to close each connection after its answer, so every request opens a new one
-- (clients that do not keep connections alive).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

local mode, path, fixed, post_headers, delete_headers, tag
local created = {}  -- ids of keys this thread created and has not deleted yet
local counter = 0
non2xx = 0  -- global: done() reads it from every thread

function init(args)
  mode, path, tag = args[1], args[3], args[6] or "run"
  local method, body, authorization = args[2], args[4] or "", args[5] or ""
  local headers = {}
  delete_headers = {}
  post_headers = {["Content-Type"] = "application/json", ["Authorization"] = authorization}
  if args[7] == "close" then
    headers["Connection"] = "close"
    delete_headers["Connection"] = "close"
    post_headers["Connection"] = "close"
  end
  if authorization ~= "" then
    headers["Authorization"] = authorization
    delete_headers["Authorization"] = authorization
  end
  if body ~= "" then
    headers["Content-Type"] = "application/json"
  else
    body = nil
  end
  fixed = wrk.format(method, path, headers, body)
end

function request()
  if mode ~= "create-delete" then
    return fixed
  end
  local id = table.remove(created)
  if id then
    return wrk.format("DELETE", path .. "/" .. id, delete_headers)
  end
  counter = counter + 1
  local name = string.format("bench-%s-%d-%d", tag, thread_number, counter)
  return wrk.format("POST", path, post_headers, '{"name":"' .. name .. '"}')
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  elseif mode == "create-delete" and status == 201 then
    local id = string.match(body, '"_id"%s*:%s*"(%x+)"')
    if id then
      table.insert(created, id)
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,'
      .. '"write":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"mean_us":%.1f}\n',
    summary.requests, summary.duration, bad, errors.connect, errors.read, errors.write,
    errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
