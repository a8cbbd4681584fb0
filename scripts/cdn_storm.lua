-- wrk script for scripts/cdn.sh: a poll storm of feed readers through the cache.
--
--   wrk -t T -c C -d Ds -s scripts/cdn_storm.lua http://VARNISH
--
-- POLLERS (10,000) readers each poll one feed URL: every public feed (each topic, all, kills) ×
-- rss/atom/json/xml × no lang/es/en, with a realistic mix (all and rss/atom most, no lang
-- filter most). Each request is by a poller picked at random; three in five pollers send
-- If-None-Match with the last ETag this thread saw for their URL (as newsboat and most readers
-- do), the others poll without validators. done() prints lines `STORM key value` for cdn.sh.

local POLLERS = 10000
local feeds = { { "all", 40 }, { "security", 18 }, { "migration", 16 }, { "bilateral-relations", 16 }, { "kills", 10 } }
local formats = { { "rss", 40 }, { "atom", 35 }, { "json", 15 }, { "xml", 10 } }
local langs = { { "", 50 }, { "?lang=es", 30 }, { "?lang=en", 20 } }

local function pick(list, r) -- r in [0, 100)
   for _, e in ipairs(list) do
      if r < e[2] then return e[1] end
      r = r - e[2]
   end
   return list[#list][1]
end

local threads = {}
function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

local paths, conditional = {}, {}
local etags = {}     -- path -> last ETag this thread saw for it
counts = { [200] = 0, [304] = 0, other = 0 } -- global: done() reads it with thread:get

function init(args)
   -- The same pollers in every thread (deterministic), each thread its own random order.
   math.randomseed(12345)
   for i = 1, POLLERS do
      local f = pick(feeds, math.random(0, 99))
      local fmt = pick(formats, math.random(0, 99))
      local l = pick(langs, math.random(0, 99))
      paths[i] = "/feeds/" .. f .. "." .. fmt .. l
      conditional[i] = math.random(1, 5) <= 3
   end
   math.randomseed(tid * 7919 + os.time())
end

function request()
   local i = math.random(1, POLLERS)
   local p = paths[i]
   local h = { ["Accept-Encoding"] = "gzip" }
   if conditional[i] and etags[p] then h["If-None-Match"] = etags[p] end
   return wrk.format("GET", p, h)
end

function response(status, headers, body)
   if status == 200 or status == 304 then counts[status] = counts[status] + 1 else counts.other = counts.other + 1 end
   -- Which URL this answers: the document's own rel="self" link.
   local link, etag = headers["link"] or headers["Link"], headers["etag"] or headers["ETag"]
   if link and etag then
      local self = link:match("<https?://[^/]+([^>]*)>; rel=\"self\"")
      if self then etags[self] = etag end
   end
end

function done(summary, latency, requests)
   local s200, s304, other = 0, 0, 0
   for _, t in ipairs(threads) do
      local c = t:get("counts")
      s200, s304, other = s200 + c[200], s304 + c[304], other + c.other
   end
   local e = summary.errors
   io.write(string.format("STORM requests %d\nSTORM duration_us %d\nSTORM s200 %d\nSTORM s304 %d\nSTORM other %d\n",
      summary.requests, summary.duration, s200, s304, other))
   io.write(string.format("STORM socket_errors %d\nSTORM p50_ms %.2f\nSTORM p99_ms %.2f\n",
      e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
