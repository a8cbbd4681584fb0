-- wrk script for scripts/bench_api.sh: durable API writes.
--
--   [BENCH_RATE=R BENCH_THREADS=T] wrk -t T -c C -d Ds -s scripts/bench_api.lua URL -- PREFIX TOKEN
--
-- Every request is a PUT /api/v1/articles/{PREFIX-thread-counter} (a new, unique id each time:
-- every write creates version 1 of a new article) with a ~1 KB wire article as
-- application/json and the publisher key as Authorization: Bearer. At the end it prints
-- machine-readable lines (BENCH key value) that bench_api.sh reads: 2xx count, other statuses,
-- socket errors, duration, p50/p99 latency. With BENCH_RATE (and BENCH_THREADS = wrk's -t), sends
-- are paced to about BENCH_RATE writes/s in all (each thread spaces its sends T/RATE s apart, across
-- its connections) as long as the server keeps up; without it, every connection sends its next
-- write as soon as the previous one is answered (closed loop, as fast as the server goes).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

local places = { "Valdor City", "Port Ellery", "Kessel", "Arnavo", "San Telmo", "Lussan", "Brenholm" }
local leads = {
   { "en", "Police arrested %d suspected gang members in %s after a drug trafficking investigation" },
   { "en", "Asylum seekers and migrants reached the reception centre in %s, officials said" },
   { "en", "The foreign minister met the ambassador of Marennia in %s to discuss a bilateral treaty" },
   { "en", "The central bank kept interest rates unchanged in %s as inflation eased to %d percent" },
   { "es", "La policía detuvo a %d presuntos pandilleros en %s tras una investigación por narcotráfico" },
   { "es", "Solicitantes de asilo y migrantes llegaron al centro de acogida de %s, dijeron las autoridades" },
   { "es", "El canciller recibió en %s al embajador de Marennia para negociar un tratado bilateral" },
   { "es", "Se esperan fuertes lluvias en %s durante el fin de semana, informó el servicio meteorológico" },
}
local filler = {
   en = "Officials gave no further details. The ministry said a statement would follow later in the week, and local reporters were told to expect more figures. Opposition lawmakers asked for a hearing on the matter before the end of the session.",
   es = "Las autoridades no dieron más detalles. El ministerio dijo que publicará un comunicado a lo largo de la semana con nuevas cifras. Diputados de la oposición pidieron una comparecencia antes del fin del periodo de sesiones.",
}
local bylines = { "Lucía Ferrer", "Tom Hale", "Ana Ruiz", "Marta Quiroga" }

local function lead_text(n)
   local l = leads[(n % #leads) + 1]
   local place = places[(n % #places) + 1]
   local text
   if l[2]:find("%%d.*%%s") then
      text = string.format(l[2], (n % 58) + 2, place)
   elseif l[2]:find("%%s.*%%d") then
      text = string.format(l[2], place, (n % 58) + 2)
   else
      text = string.format(l[2], place)
   end
   return l[1], place, text
end

local function body(n)
   local lang, place, lead = lead_text(n)
   local _, _, second = lead_text(n * 7 + 3)
   local text = string.format("%s (ANV) - %s.\\n\\n%s.\\n\\n%s\\n\\n%s", place:upper(), lead, second,
      filler[lang], filler[lang])
   return string.format(
      '{"headline":"%s","summary":"%s.","body":"%s","language":"%s","byline":["%s"],' ..
      '"dateline":"%s","keywords":["bench","wire"],"urgency":%d}',
      lead, lead, text, lang, bylines[(n % #bylines) + 1], place, (n % 9) + 1)
end

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
local function now_ms()
   ffi.C.gettimeofday(tv, nil)
   return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

function init(args)
   prefix = args[1] or "bench"
   local token = args[2] or os.getenv("WIREFEED_TOKEN") or ""
   counter = 0
   ok = 0
   bad = 0
   bad_statuses = ""
   headers = {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. token,
   }
end

function request()
   counter = counter + 1
   local id = string.format("%s-%d-%07d", prefix, tid, counter)
   return wrk.format("PUT", "/api/v1/articles/" .. id, headers, body(counter))
end

-- wrk looks for delay() once, in its main Lua state, before any init(): so pacing is read from the
-- environment here, and an unpaced run has no delay() (no timer per request) at all.
local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
if rate > 0 then
   local interval_ms = 1000 * (tonumber(os.getenv("BENCH_THREADS") or "1") or 1) / rate
   local next_ms = nil
   function delay()
      local t = now_ms()
      -- a schedule per thread; never bursts to catch up more than 1 s of lost time
      if next_ms == nil or next_ms < t - 1000 then next_ms = t end
      local wait = next_ms - t
      next_ms = next_ms + interval_ms
      return math.max(0, math.floor(wait))
   end
end

function response(status, hdrs, b)
   if status >= 200 and status < 300 then
      ok = ok + 1
   else
      bad = bad + 1
      if #bad_statuses < 200 and not bad_statuses:find(tostring(status), 1, true) then
         bad_statuses = bad_statuses .. status .. " "
      end
   end
end

function done(summary, latency, requests)
   local n_ok, n_bad, statuses = 0, 0, ""
   for _, t in ipairs(threads) do
      n_ok = n_ok + t:get("ok")
      n_bad = n_bad + t:get("bad")
      statuses = statuses .. t:get("bad_statuses")
   end
   local e = summary.errors
   io.write(string.format("BENCH ok %d\n", n_ok))
   io.write(string.format("BENCH bad %d\n", n_bad))
   io.write(string.format("BENCH bad_statuses %s\n", statuses == "" and "-" or statuses))
   io.write(string.format("BENCH socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
   io.write(string.format("BENCH duration_us %d\n", summary.duration))
   io.write(string.format("BENCH p50_us %d\n", latency:percentile(50)))
   io.write(string.format("BENCH p99_us %d\n", latency:percentile(99)))
   io.write(string.format("BENCH max_us %d\n", latency.max))
   io.write(string.format("BENCH body_bytes %d\n", #body(1)))
end
