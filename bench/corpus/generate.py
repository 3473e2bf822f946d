"""The corpus driver (`npm run corpus` calls it): runs the generators as --jobs parallel worker processes under
`nice -n 10`, each worker a shard of one framework's part of the plan (many runs per process), prints progress to
stdout and <out>/progress.log, and writes <out>/runs.tsv at the end. Resumable: complete runs are skipped.

    python3 bench/corpus/generate.py --out bench/corpus/out --jobs 2 [--only torch,keras] [--runs-tsv-only]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import plan as P  # noqa: E402

# Shards per framework: small enough that one worker's imports are paid for by many runs, many enough that two
# workers stay busy until the end.
SHARDS = {"torch": 10, "keras": 4, "lightning": 3, "hf": 2, "tfjs": 2}
TSV_COLUMNS = ["id", "framework", "intended", "cause", "dataset", "family", "optimizer", "lr", "batch", "schedule",
               "epochs", "cadence", "has_val", "format", "log", "seed", "split", "sha256", "seconds"]


def command(fw, shard, out):
    if fw == "tfjs":
        return ["nice", "-n", "10", "npx", "tsx", os.path.join(HERE, "gen-tfjs.ts"), "--out", out, "--shard", shard]
    return ["nice", "-n", "10", sys.executable, os.path.join(HERE, f"gen_{fw}.py"), "--out", out, "--shard", shard,
            "--quiet"]


def complete_ids(out):
    runs = os.path.join(out, "runs")
    if not os.path.isdir(runs):
        return set()
    return {e.name for e in os.scandir(runs) if os.path.exists(os.path.join(e.path, "record.json"))}


def fmt_secs(s):
    s = int(max(0, s))
    return f"{s // 3600}h{(s % 3600) // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def write_runs_tsv(out, plan):
    rows = []
    for r in plan:
        p = os.path.join(out, "runs", r["id"], "record.json")
        if not os.path.exists(p):
            continue
        with open(p) as fh:
            rec = json.load(fh)
        c = rec["config"]
        row = {k: c.get(k) for k in TSV_COLUMNS}
        row["cause"] = rec.get("cause")
        row["log"] = rec.get("log")
        row["sha256"] = rec.get("sha256")
        row["seconds"] = rec.get("seconds")
        rows.append(row)

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:.6g}"
        return str(v).replace("\t", " ").replace("\n", " ")
    tmp = os.path.join(out, "runs.tsv.tmp")
    with open(tmp, "w") as fh:
        fh.write("\t".join(TSV_COLUMNS) + "\n")
        for row in rows:
            fh.write("\t".join(cell(row[k]) for k in TSV_COLUMNS) + "\n")
    os.replace(tmp, os.path.join(out, "runs.tsv"))
    return len(rows)


STALE_KEYS = ["intended", "dataset", "family", "optimizer", "batch", "format", "console_style", "schedule", "seed",
              "log_every"]


def prune_stale(out, plan, fws):
    """Removes run dirs the plan no longer has, or whose config no longer matches the plan (a recipe changed), so
    they are generated again. Returns how many were removed."""
    import shutil
    runs = os.path.join(out, "runs")
    if not os.path.isdir(runs):
        return 0
    by = {r["id"]: r for r in plan}
    removed = 0
    for e in os.scandir(runs):
        fw = e.name.split("-", 1)[0]
        if fw not in fws:
            continue
        r = by.get(e.name)
        stale = r is None
        rp = os.path.join(e.path, "record.json")
        if r is not None and os.path.exists(rp):
            try:
                with open(rp) as fh:
                    c = json.load(fh)["config"]
                stale = any(c.get(k) != r.get(k) for k in STALE_KEYS)
                # dicts through JSON on both sides (tuples become lists in record.json)
                stale = stale or any(json.loads(json.dumps(c.get(k))) != json.loads(json.dumps(r.get(k)))
                                     for k in ("faults", "arch", "sched"))
                lr_plan, lr_rec = r.get("lr"), c.get("lr")
                if isinstance(lr_plan, float) and isinstance(lr_rec, (int, float)):
                    stale = stale or abs(lr_plan - lr_rec) > 1e-9 * max(1.0, abs(lr_plan))
            except Exception:
                stale = True
        if stale:
            shutil.rmtree(e.path, ignore_errors=True)
            removed += 1
    return removed


def ensure_mnist(out):
    data = os.path.join(out, "data")
    if not os.path.exists(os.path.join(data, "mnist_x.npy")):
        subprocess.run(["npx", "tsx", os.path.join(HERE, "export-mnist.ts"), "--out", data], cwd=ROOT, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default=None, help="comma-separated frameworks (torch,keras,lightning,hf,tfjs)")
    ap.add_argument("--runs-tsv-only", action="store_true", help="only (re)write runs.tsv from the runs on disk")
    ap.add_argument("--interval", type=float, default=30.0, help="seconds between progress lines")
    ap.add_argument("--keep-stale", action="store_true", help="keep runs whose config no longer matches the plan")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    plan = P.plan()
    fws = [f for f in P.FRAMEWORKS if not a.only or f in a.only.split(",")]
    if not os.path.exists(os.path.join(HERE, "gen-tfjs.ts")):
        fws = [f for f in fws if f != "tfjs"]
    if a.runs_tsv_only:
        print(f"runs.tsv: {write_runs_tsv(out, plan)} runs")
        return
    ensure_mnist(out)
    os.makedirs(os.path.join(out, "logs"), exist_ok=True)
    if not a.keep_stale:
        n = prune_stale(out, plan, fws)
        if n:
            print(f"removed {n} runs the plan no longer has (or has with another config)", flush=True)
    total = Counter(r["framework"] for r in plan if r["framework"] in fws)
    planned_ids = {r["id"]: r["framework"] for r in plan if r["framework"] in fws}
    # Interleave the frameworks' shards so both workers mix cheap and costly runs.
    queue = []
    shard_lists = {fw: [f"{i}/{SHARDS[fw]}" for i in range(SHARDS[fw])] for fw in fws}
    while any(shard_lists.values()):
        for fw in fws:
            if shard_lists[fw]:
                queue.append((fw, shard_lists[fw].pop(0)))
    progress = open(os.path.join(out, "progress.log"), "a")
    t0 = time.time()
    done0 = len(complete_ids(out) & set(planned_ids))
    running = {}
    stop = {"flag": False}

    def on_signal(signum, frame):
        stop["flag"] = True
        for p in list(running):
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        sys.exit(130)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def report(final=False):
        ids = complete_ids(out)
        per = Counter(planned_ids[i] for i in ids if i in planned_ids)
        done = sum(per.values())
        el = time.time() - t0
        rate = (done - done0) / el if el > 0 else 0
        left = sum(total.values()) - done
        eta = left / rate if rate > 0 else float("nan")
        parts = " ".join(f"{fw} {per[fw]}/{total[fw]}" for fw in fws)
        line = (f"[{time.strftime('%H:%M:%S')}] {done}/{sum(total.values())} runs ({parts}) | elapsed {fmt_secs(el)}"
                f" | ETA {fmt_secs(eta) if rate > 0 else '?'} | workers {len(running)}" + (" | done" if final else ""))
        print(line, flush=True)
        progress.write(line + "\n")
        progress.flush()

    last = 0.0
    while queue or running:
        while queue and len(running) < a.jobs and not stop["flag"]:
            fw, shard = queue.pop(0)
            log = open(os.path.join(out, "logs", f"{fw}-{shard.replace('/', 'of')}.log"), "a")
            p = subprocess.Popen(command(fw, shard, out), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
            running[p] = (fw, shard, log)
        for p in list(running):
            if p.poll() is not None:
                fw, shard, log = running.pop(p)
                log.close()
                if p.returncode != 0:
                    msg = f"worker {fw} {shard} exited with {p.returncode} (see logs/{fw}-{shard.replace('/', 'of')}.log)"
                    print(msg, flush=True)
                    progress.write(msg + "\n")
        if time.time() - last >= a.interval:
            report()
            last = time.time()
        time.sleep(1.0)
    report(final=True)
    n = write_runs_tsv(out, plan)
    print(f"runs.tsv: {n} runs", flush=True)
    fails = os.path.join(out, "failures.tsv")
    if os.path.exists(fails):
        with open(fails) as fh:
            print(f"failures.tsv: {sum(1 for _ in fh)} lines", flush=True)


if __name__ == "__main__":
    main()
