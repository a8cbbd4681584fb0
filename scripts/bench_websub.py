"""WebSub hub benchmark (issue 9): publish-to-callback latency, fan-out, a dead callback.

    python3 scripts/bench_websub.py BASE_URL PUBLISHER_TOKEN [FANOUT] [ROUNDS]

One asyncio process is every subscriber (one callback URL each) and the publisher, so both
ends of a latency are read from the same clock. The dead callback accepts the connection and
never answers.
"""
import asyncio
import os
import random
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request

base, token = sys.argv[1], sys.argv[2]
FANOUT = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
ROUNDS = int(sys.argv[4]) if len(sys.argv) > 4 else 40
SPACING = float(os.environ.get("SPACING", "1.0"))
arrivals = {}        # (path, story id) -> time
verified = set()
counter = 0


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            method, target, _ = line.decode().split(" ", 2)
            length = 0
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, _, v = h.decode().partition(":")
                if k.strip().lower() == "content-length":
                    length = int(v)
            body = await reader.readexactly(length) if length else b""
            path, _, query = target.partition("?")
            if path.startswith("/dead") and method == "POST":
                await asyncio.sleep(3600)
            if method == "GET":
                q = dict(urllib.parse.parse_qsl(query))
                answer = q.get("hub.challenge", "").encode()
                verified.add(path)
            else:
                now = time.monotonic()
                for sid in ids_in_flight:
                    if sid.encode() in body:
                        arrivals.setdefault((path, sid), now)
                answer = b""
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ValueError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


ids_in_flight = []


def post(url, data, headers):
    req = urllib.request.Request(url, data=data, method="POST", headers=headers)
    with urllib.request.urlopen(req) as r:
        return r.status


async def subscribe(loop, cb_base, path, topic):
    data = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.callback": cb_base + path,
                                   "hub.topic": topic}).encode()
    return await loop.run_in_executor(None, post, f"{base}/websub", data,
                                      {"Content-Type": "application/x-www-form-urlencoded"})


async def publish(loop, sid, lang="en"):
    global counter
    counter += 1
    story = {"id": sid, "language": "en", "headline": f"Border patrol report {sid}",
             "body": "Border security patrols reported the weekly figures."}
    if lang == "es":
        story.update(language="es", headline=f"Informe de la patrulla fronteriza {sid}",
                     body="Las patrullas de seguridad fronteriza informaron de las cifras semanales.")
    ids_in_flight.append(sid)
    t0 = time.monotonic()
    await loop.run_in_executor(None, post, f"{base}/api/v1/articles", json.dumps(story).encode(),
                               {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return t0


async def wait_for(cond, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        await asyncio.sleep(0.005)
    return False


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


async def latency(loop, paths, tag, rounds):
    lat = []
    for i in range(rounds):
        sid = f"bench-{tag}-{i}"
        t0 = await publish(loop, sid)
        ok = await wait_for(lambda: all((p, sid) in arrivals for p in paths), 10)
        if not ok:
            print(f"  {tag}: story {i} not delivered to every live callback in 10 s")
        lat += [(arrivals[(p, sid)] - t0) * 1000 for p in paths if (p, sid) in arrivals]
        # A feed shows at most one new version per second (validators always move, docs/api.md,
        # Wire semantics): stories closer together than that wait for the next second, pushed or polled.
        await asyncio.sleep(SPACING + random.random() * 0.5)
    return lat


async def main():
    loop = asyncio.get_running_loop()
    server = await asyncio.start_server(handle, "127.0.0.1", 0, limit=1 << 20)
    cb_base = "http://127.0.0.1:%d" % server.sockets[0].getsockname()[1]
    # Spanish: the English stories of the other runs do not change it.
    topic = f"{base}/feeds/all.json?lang=es&limit=10"

    await subscribe(loop, cb_base, "/one", f"{base}/feeds/all.rss")
    await wait_for(lambda: "/one" in verified, 10)
    await asyncio.sleep(0.5)
    lat = await latency(loop, ["/one"], "one", ROUNDS)
    print(f"latency, one subscriber: p50 {statistics.median(lat):.0f} ms, p99 {pct(lat, 99):.0f} ms, "
          f"max {max(lat):.0f} ms ({len(lat)} deliveries)")

    paths = [f"/fan{i}" for i in range(FANOUT)]
    await asyncio.gather(*(subscribe(loop, cb_base, p, topic) for p in paths))
    await wait_for(lambda: all(p in verified for p in paths), 60)
    await asyncio.sleep(1.0)
    t0 = await publish(loop, "bench-fanout", "es")
    ok = await wait_for(lambda: all((p, "bench-fanout") in arrivals for p in paths), 60)
    got = [arrivals[(p, "bench-fanout")] - t0 for p in paths if (p, "bench-fanout") in arrivals]
    print(f"fan-out: {len(got)}/{FANOUT} subscribers of one topic delivered, all within "
          f"{max(got):.2f} s (median {statistics.median(got):.2f} s){'' if ok else ' — INCOMPLETE'}")

    # 100 live callbacks of another topic, alone, then with one callback that never answers.
    topic2 = f"{base}/feeds/all.json?lang=en&limit=5"
    live = [f"/live{i}" for i in range(100)]
    await asyncio.gather(*(subscribe(loop, cb_base, p, topic2) for p in live))
    await wait_for(lambda: all(p in verified for p in live), 30)
    await asyncio.sleep(1.0)
    rounds = max(5, ROUNDS // 4)
    alone = await latency(loop, live, "live", rounds)
    await subscribe(loop, cb_base, "/dead", topic2)
    await wait_for(lambda: "/dead" in verified, 10)
    await asyncio.sleep(1.0)
    dead = await latency(loop, live, "dead", rounds)
    print(f"100 live callbacks: p50 {statistics.median(alone):.0f} ms, p99 {pct(alone, 99):.0f} ms; "
          f"with a dead one among them: p50 {statistics.median(dead):.0f} ms, p99 {pct(dead, 99):.0f} ms "
          f"({len(dead)} deliveries)")
    print(f"(stories {SPACING:.1f}-{SPACING + 0.5:.1f} s apart after the previous delivery)")

asyncio.run(main())
