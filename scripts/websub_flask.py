"""Flask-WebSub (PyPI flask-websub), an independent WebSub subscriber, against our hub.

Discovers the hub from a feed's Link header, subscribes, receives a delivery when a story is
published over the API, unsubscribes, and checks that nothing more is delivered. Prints one
`PASS`/`FAIL` line per step; exits 1 on any failure.

    python3 scripts/websub_flask.py BASE_URL PUBLISHER_TOKEN
"""
import json
import sys
import tempfile
import threading
import time
import urllib.request

from flask import Flask
from flask_websub.subscriber import (Subscriber, SQLite3SubscriberStorage,
                                     SQLite3TempSubscriberStorage, discover)
from werkzeug.serving import make_server

base, token = sys.argv[1], sys.argv[2]
server = make_server("127.0.0.1", 0, None)
port = server.socket.getsockname()[1]
server.server_close()

app = Flask(__name__)
app.config["SERVER_NAME"] = f"127.0.0.1:{port}"
tmp = tempfile.mkdtemp()
subscriber = Subscriber(SQLite3SubscriberStorage(f"{tmp}/subs.db"),
                        SQLite3TempSubscriberStorage(f"{tmp}/temp.db"))
app.register_blueprint(subscriber.build_blueprint(url_prefix="/callbacks"))
events, bodies, failures = [], [], []
subscriber.add_success_handler(lambda topic, cid, mode: events.append(mode))
subscriber.add_error_handler(lambda topic, cid, reason: events.append("error: " + reason))
subscriber.add_listener(lambda topic, cid, body: bodies.append(body))
threading.Thread(target=make_server("127.0.0.1", port, app).serve_forever, daemon=True).start()


def check(name, ok):
    print(("PASS " if ok else "FAIL ") + name, flush=True)
    if not ok:
        failures.append(name)


def wait(cond, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


def publish(story_id):
    body = json.dumps({"id": story_id, "language": "en",
                       "headline": f"Coast guard and border police coordinate patrols {story_id}",
                       "body": "Border security patrols were coordinated by the coast guard."}).encode()
    req = urllib.request.Request(f"{base}/api/v1/articles", data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return urllib.request.urlopen(req).status


with app.app_context():
    found = discover(f"{base}/feeds/all.atom")
    check("discovery: hub and self from the Link header",
          found == {"hub_url": f"{base}/websub", "topic_url": f"{base}/feeds/all.atom"})
    callback_id = subscriber.subscribe(**found)
    check("subscribe: verified", wait(lambda: "subscribe" in events))
    check("publish: 201", publish("flask-websub-1") == 201)
    check("deliver: the new story arrives",
          wait(lambda: any(b"flask-websub-1" in b for b in bodies)))
    subscriber.unsubscribe(callback_id)
    check("unsubscribe: verified", wait(lambda: "unsubscribe" in events))
    seen = len(bodies)
    publish("flask-websub-2")
    time.sleep(2)
    check("after unsubscribe: nothing delivered", len(bodies) == seen)
    check("no errors reported", not any(e.startswith("error") for e in events))

print(f"flask-websub: {7 - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
