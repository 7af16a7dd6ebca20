-- wrk script for the KeyBridge benchmark: POSTs one JSON-RPC body (file $KB_BODY_FILE) with a
-- bearer token ($KB_TOKEN) over keep-alive connections, counts JSON-RPC errors in the answers,
-- stops each thread after $KB_MAX_PER_THREAD responses (0: only the -d duration bounds it), and
-- prints one machine-readable line: KBRESULT {...}.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("KB_BODY_FILE"), "rb"))
  local body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("KB_TOKEN") or ""
  if token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  max = tonumber(os.getenv("KB_MAX_PER_THREAD") or "0")
  count = 0
  rpc_errors = 0
  req = wrk.format()
end

function request()
  return req
end

function response(status, headers, body)
  count = count + 1
  if status ~= 200 or string.find(body, '"error":', 1, true) then
    rpc_errors = rpc_errors + 1
  end
  if max > 0 and count >= max then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do
    errs = errs + (t:get("rpc_errors") or 0)
  end
  local e = summary.errors
  io.write(string.format('KBRESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"rpc_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errs,
    e.connect + e.read + e.write + e.timeout))
end
