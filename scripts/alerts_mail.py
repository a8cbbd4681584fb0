"""Reads the messages scripts/alerts_smtp.py wrote, for scripts/alerts_check.sh:
    wait FOLDER RCPT TEXT [SECONDS]   path of the first message to RCPT whose Subject has TEXT
    count FOLDER RCPT                 how many messages RCPT got
    link FILE PAGE                    the first link to PAGE (/alerts/confirm …) in the text part,
                                      as path?query
    unsubscribe FILE                  the https/http URL of List-Unsubscribe
    check FILE BASE PUBKEY HEADLINE   headers (RFC 5322, 2369, 2919, 8058), both parts, and the
                                      DKIM signature verified by dkimpy against PUBKEY (base64
                                      DER), with a tampered copy as the control
"""

import email
import email.policy
import glob
import os
import re
import sys
import time


def messages(folder, rcpt):
    for path in sorted(glob.glob(os.path.join(folder, "*.eml"))):
        with open(path, "rb") as f:
            raw = f.read()
        first = raw.split(b"\r\n", 1)[0].decode()
        if rcpt in first.split(": ", 1)[1].split(","):
            yield path, raw


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def part(msg, ctype):
    for p in msg.walk():
        if p.get_content_type() == ctype:
            return p.get_content()
    sys.exit(f"no {ctype} part")


def main():
    cmd = sys.argv[1]
    if cmd == "wait":
        folder, rcpt, text = sys.argv[2:5]
        limit = float(sys.argv[5]) if len(sys.argv) > 5 else 20
        deadline = time.time() + limit
        while time.time() < deadline:
            for path, raw in messages(folder, rcpt):
                if text in str(parse(raw)["Subject"]):
                    print(path)
                    return
            time.sleep(0.05)
        sys.exit(f"no message to {rcpt} with {text!r} in its subject within {limit} s")
    if cmd == "count":
        print(len(list(messages(sys.argv[2], sys.argv[3]))))
        return
    with open(sys.argv[2], "rb") as f:
        raw = f.read()
    msg = parse(raw)
    if cmd == "link":
        page = sys.argv[3]
        m = re.search(re.escape(page) + r"\?token=wfa_[0-9a-f]{64}", part(msg, "text/plain"))
        if not m:
            sys.exit(f"no {page} link")
        print(m.group(0))
        return
    if cmd == "unsubscribe":
        m = re.search(r"<(https?://[^>]+)>", str(msg["List-Unsubscribe"]))
        print(m.group(1))
        return
    if cmd == "check":
        base, pubkey_file, headline = sys.argv[3:6]
        problems = []
        for h in ("Message-ID", "Date", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "DKIM-Signature"):
            if not msg[h]:
                problems.append(f"no {h}")
        if not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", str(msg["Message-ID"]).strip()):
            problems.append(f"Message-ID {msg['Message-ID']!r}")
        lu = str(msg["List-Unsubscribe"])
        if f"<{base}/alerts/unsubscribe?token=wfa_" not in lu or "<mailto:" not in lu:
            problems.append(f"List-Unsubscribe {lu!r}")
        if str(msg["List-Unsubscribe-Post"]).strip() != "List-Unsubscribe=One-Click":
            problems.append(f"List-Unsubscribe-Post {msg['List-Unsubscribe-Post']!r}")
        if "@" in lu.split("mailto:")[0]:
            problems.append("an address in the unsubscribe URL")
        if msg.get_content_type() != "multipart/alternative":
            problems.append(f"Content-Type {msg.get_content_type()}")
        text, html = part(msg, "text/plain"), part(msg, "text/html")
        for name, body in (("text", text), ("html", html)):
            if headline not in body:
                problems.append(f"the {name} part lacks the headline")
            if f"{base}/articles/" not in body:
                problems.append(f"the {name} part lacks the story's link")
        # DKIM (RFC 6376) with dkimpy, the key from our "DNS".
        import dkim

        with open(pubkey_file) as f:
            record = f"v=DKIM1; k=rsa; p={f.read().strip()}".encode()
        dns = lambda name, timeout=5: record
        body = raw.split(b"\r\n", 1)[1]  # without the test's X-Test-Rcpt line
        if not dkim.verify(body, dnsfunc=dns):
            problems.append("DKIM signature does not verify")
        tampered = body.replace(b"Subject: ", b"Subject: X", 1)
        if dkim.verify(tampered, dnsfunc=dns):
            problems.append("DKIM verifies a tampered message (control)")
        sig = str(msg["DKIM-Signature"]).lower()
        signed = re.search(r"(?:^|;)\s*h=([^;]+)", sig)
        covered = signed.group(1).replace(" ", "").split(":") if signed else []
        for h in ("list-unsubscribe", "list-unsubscribe-post"):
            if h not in covered:
                problems.append(f"DKIM does not cover {h} (RFC 8058 §4)")
        if problems:
            sys.exit("; ".join(problems))
        print("ok")
        return
    sys.exit(f"unknown command {cmd}")


main()
