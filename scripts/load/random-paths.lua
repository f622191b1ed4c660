-- wrk script: each request GETs a path drawn at random from the file named by $PATHS (one
-- per line); at the end, the latency percentiles and the errors (non-2xx included).
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "requests %d in %.1f s (%.0f/s); p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; " ..
    "errors: connect %d, read %d, write %d, non-2xx %d, timeout %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout))
end
