#!/usr/bin/env python3
"""Scores the place finder on the blind set (tests/data/blind/places.jsonl, README.md section 1).

Runs `wirefeed classify` on the stories (the finder as shipped, through the binary) and reports
micro precision, recall and F1 over (story, code) pairs and exact-set accuracy, overall, by
language and by trap tag (the `[tags]` that open each story's notes). Prints scores only, never
story text: the set stays blind.

    cargo build && python3 scripts/places/score_blind.py [--bin target/debug/wirefeed]
"""

import argparse
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def main():
    ap = argparse.ArgumentParser()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    ap.add_argument("--bin", default=os.path.join(target, "debug", "wirefeed"))
    ap.add_argument("--set", default=os.path.join(ROOT, "tests", "data", "blind", "places.jsonl"))
    ap.add_argument("--config", default=os.path.join(ROOT, "feeds.toml"))
    args = ap.parse_args()

    stories = [json.loads(l) for l in open(args.set, encoding="utf-8") if l.strip()]
    lines = "".join(json.dumps(s["article"], ensure_ascii=False) + "\n" for s in stories)
    run = subprocess.run(
        [args.bin, "--config", args.config, "classify", "-"],
        input=lines, capture_output=True, text=True, cwd=ROOT,
    )
    if run.returncode not in (0, 1):
        sys.exit(f"wirefeed classify failed ({run.returncode}): {run.stderr[:500]}")
    got = {}
    for l in run.stdout.splitlines():
        o = json.loads(l)
        got[o["id"]] = set(o.get("places", []))
    if len(got) != len(stories):
        sys.exit(f"classified {len(got)} of {len(stories)} stories: {run.stderr[:500]}")

    groups = defaultdict(lambda: [0, 0, 0, 0, 0])  # tp, fp, fn, exact, n
    for s in stories:
        a = s["article"]
        exp, out = set(s["expected_places"]), got[a["id"]]
        m = re.match(r"\[([^\]]*)\]", s.get("notes", ""))
        tags = [t.strip() for t in m.group(1).split(",") if t.strip()] if m else []
        for g in ["all", "lang:" + a["language"]] + ["tag:" + t for t in tags]:
            r = groups[g]
            r[0] += len(exp & out)
            r[1] += len(out - exp)
            r[2] += len(exp - out)
            r[3] += exp == out
            r[4] += 1

    print(f"{'group':28} {'n':>4} {'P':>6} {'R':>6} {'F1':>6} {'exact':>6}")
    for g in sorted(groups, key=lambda g: (g != "all", not g.startswith("lang:"), g)):
        tp, fp, fn, exact, n = groups[g]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{g:28} {n:4} {p:6.3f} {r:6.3f} {f:6.3f} {exact / n:6.3f}")


if __name__ == "__main__":
    main()
