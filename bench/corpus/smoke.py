"""Smoke-batch inspection: per run, the curve summary and which README checks fire (an approximate, generator-side
reading of the README table, used to tune cause magnitudes; confirm.py is the authority on labels).

    python3 bench/corpus/smoke.py --out /tmp/smoke [--label nan_loss] [--framework torch] [--verbose]
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys
from collections import Counter, defaultdict

import numpy as np

LN = math.log


def vals(s):
    return np.array([float(v) if not isinstance(v, str) else float(v.replace("inf", "inf")) for v in s["values"]], float)


def pick(rec, name, split, prefer="step"):
    c = [s for s in rec["series"] if s["name"] == name and s["split"] == split]
    if not c:
        return None
    c.sort(key=lambda s: (s["cadence"] != prefer, len(s["values"]) * (-1)))
    return c[0]


def rolling_median(x, w):
    h = w // 2
    return np.array([np.median(x[max(0, i - h):i + h + 1]) for i in range(len(x))])


def noise_of(x):
    if len(x) < 5:
        return 0.0
    r = x - rolling_median(x, 5)
    return 1.4826 * float(np.median(np.abs(r - np.median(r))))


def level(x):
    return float(np.median(x)) if len(x) else float("nan")


def tenth(x, where):
    k = max(1, int(round(len(x) * 0.1)))
    return x[:k] if where == "start" else x[-k:]


def half_progress_at(x):
    """Fraction of the run at which the smoothed series first covers half of its total progress."""
    sm = rolling_median(x, max(3, len(x) // 20 | 1))
    start, end = level(tenth(x, "start")), level(tenth(x, "end"))
    prog = start - end
    if prog <= 0:
        return None
    idx = np.where(sm <= start - 0.5 * prog)[0]
    return (idx[0] / max(1, len(x) - 1)) if len(idx) else None


def checks(rec, ref):
    fired = {}
    task = rec["task"]
    K = rec.get("classes")
    lnK = LN(K) if K else None
    tr_step = pick(rec, "loss", "train", "step")
    tr_ep = pick(rec, "loss", "train", "epoch")
    if tr_ep is not None and tr_ep["cadence"] != "epoch":
        tr_ep = None
    va = pick(rec, "loss", "val", "epoch")
    tr = tr_step if tr_step is not None else tr_ep
    if tr is None:
        return {"dropped": "no train loss"}
    x = vals(tr)
    if len(x) < 3:
        return {"dropped": f"{len(x)} points"}
    all_losses = [vals(s) for s in rec["series"] if s["name"] == "loss"]
    if any((~np.isfinite(a)).any() for a in all_losses):
        fired["nan_loss"] = "non-finite loss"
    fin = np.isfinite(x).all()
    n = len(x)
    key = (rec["config"]["dataset"], rec["config"]["family"])
    href = ref.get(key)
    hfirst = ref.get(("first",) + key)
    noise = noise_of(x) if fin else 0
    start, end = level(tenth(x, "start")), level(tenth(x, "end"))
    if fin:
        # divergence
        k = max(1, int(round(n * 0.1)))
        lows = [(level(x[i:i + k]), i) for i in range(0, n - k + 1)]
        low, li = min(lows)
        if end >= 2 * low and li < 0.85 * n and low > 0:
            fired["divergence"] = f"end {end:.3g} >= 2x low {low:.3g}"
    # lr_too_high
    if tr["cadence"] == "step":
        ep = np.array(tr["epochs"], float)
        first = x[ep <= 1.0 + 1e-9]
        if len(first) >= 3:
            thr = min(4 * first[0], 4 * lnK) if lnK else 4 * first[0]
            c = int((first[1:] >= thr).sum()) + int((~np.isfinite(first[1:])).sum())
            if c >= 3:
                fired["lr_too_high"] = f"{c} first-epoch batches >= {thr:.3g}"
    elif href and hfirst and tr_ep is not None:
        xe = vals(tr_ep)
        if xe[0] >= 2 * hfirst and level(tenth(xe, "end")) >= 1.5 * href:
            fired["lr_too_high"] = f"first {xe[0]:.3g} >= 2x healthy first {hfirst:.3g}, end >= 1.5x ref {href:.3g}"
    # oscillation
    base = vals(va) if va is not None else (vals(tr_ep) if tr_ep is not None else None)
    if base is not None and len(base) >= 5 and np.isfinite(base).all() and tr_ep is not None:
        d = np.diff(base)
        rel = np.abs(d) / np.maximum(np.abs(base[:-1]), 1e-12)
        sig = np.sign(d)
        changes = sum(1 for i in range(1, len(d)) if sig[i] != sig[i - 1] and rel[i] >= 0.05 and rel[i - 1] >= 0.05)
        xe = vals(tr_ep)
        rises = int(((xe[1:] - xe[:-1]) / np.maximum(np.abs(xe[:-1]), 1e-12) >= 0.05).sum()) if np.isfinite(xe).all() else 0
        if changes >= 0.35 * len(base) and rises >= 0.2 * len(xe):
            fired["oscillation"] = f"{changes} direction changes / {len(base)}, {rises} train rises"
    # loss spikes
    if fin and n >= 20:
        rm = np.array([np.median(x[max(0, i - 9):i]) if i > 0 else x[0] for i in range(n)])
        spikes = 0
        i = int(0.05 * n)
        while i < n:
            if i >= 3 and x[i] >= 3 * rm[i] and (i == 0 or x[i - 1] < 3 * rm[i]):
                back = any(x[j] < 1.5 * rm[i] for j in range(i + 1, min(n, i + 4)))
                if back:
                    spikes += 1
                    i += 3
                    continue
            i += 1
        if spikes >= 2:
            fired["loss_spikes"] = f"{spikes} spikes"
    # unshuffled
    if tr["cadence"] == "step" and fin:
        ep = np.array(tr["epochs"], float)
        per = int(round(np.sum(ep <= 1.0 + 1e-9)))
        if per >= 8 and n >= 3 * per:
            det = x - rolling_median(x, per | 1)
            a, b = det[:-per], det[per:]
            if a.std() > 0 and b.std() > 0:
                ac = float(np.corrcoef(a, b)[0, 1])
                if ac >= 0.4:
                    fired["unshuffled_data"] = f"autocorr {ac:.2f} at lag {per}"
    # progress-shape checks on the train loss
    if fin and n >= 4:
        q = x[int(0.75 * n):]
        last_q_impr = level(x[int(0.7 * n):int(0.8 * n) + 1]) - level(tenth(x, "end"))
        prog = start - end
        hp = half_progress_at(x)
        beyond = last_q_impr > 2 * max(noise, 1e-9) and last_q_impr > 0
        if prog > 0 and hp is not None:
            if beyond and hp > 0.45:
                fired["lr_too_low"] = f"half progress at {hp:.0%}, still improving"
            if beyond and last_q_impr >= 0.08 * prog and hp < 0.45:
                fired["not_converged"] = f"last-quarter improvement {last_q_impr / prog:.0%} of progress, half at {hp:.0%}"
            if hp > 0.45 and not beyond:
                fired["slow_convergence"] = f"half progress at {hp:.0%}, flat end"
        # plateau
        if href and prog > 0 and prog / max(start, 1e-12) >= 0.2:
            half = x[n // 2:]
            if level(half[:max(1, len(half) // 5)]) - level(tenth(half, "end")) <= 2 * max(noise, 1e-9) and end >= 1.5 * href:
                fired["plateau"] = f"flat last half at {end:.3g} >= 1.5x ref {href:.3g}"
        # train loss rising
        best_so_far = np.minimum.accumulate(x)
        w = max(2, int(0.15 * n))
        for i in range(1, n - w + 1):
            if np.all(x[i:i + w] >= 1.3 * best_so_far[i - 1]):
                if end < 1.5 * best_so_far[-1]:
                    fired["train_loss_rising"] = f"stretch from {i / n:.0%} >= 1.3x best"
                break
    # underfitting
    if va is not None and href and tr_ep is not None:
        xv, xe = vals(va), vals(tr_ep)
        if np.isfinite(xv).all() and np.isfinite(xe).all() and len(xv) >= 3:
            ve, te = level(tenth(xv, "end")), level(tenth(xe, "end"))
            prog_after = (xv[0] - ve) / max(xv[0], 1e-12)
            if ve >= 2 * href and te >= 2 * href and prog_after < 0.2 and ve / max(te, 1e-12) <= 1.15:
                fired["underfitting"] = f"end {te:.3g}/{ve:.3g} >= 2x ref {href:.3g}"
    # stuck at chance
    vacc = pick(rec, "accuracy", "val", "epoch")
    if vacc is not None and K and va is not None:
        a = vals(vacc)
        xv = vals(va)
        h = len(a) // 2
        chance = [1 / K] + ([rec["majority"]] if rec.get("majority") else [])
        if np.isfinite(a).all() and all(min(abs(v - c) for c in chance) <= 0.03 for v in a[h:]) and \
                np.all(np.abs(xv[h:] - lnK) <= 0.05 * lnK):
            fired["stuck_at_chance"] = f"val acc {a[-1]:.3f} ~ chance"
    # overfitting / gap / es missing / val better
    if va is not None and tr_ep is not None:
        xv, xe = vals(va), vals(tr_ep)
        if np.isfinite(xv).all() and len(xv) >= 5:
            m = int(np.argmin(xv))
            nv = len(xv)
            if m < 0.6 * nv and level(tenth(xv, "end")) >= 1.15 * xv[m] and np.isfinite(xe).all():
                after = xe[m:]
                if level(tenth(xe, "end")) <= 0.8 * xe[min(m, len(xe) - 1)]:
                    fired["overfitting"] = f"val min at {m / nv:.0%}, end {level(tenth(xv, 'end')) / xv[m]:.2f}x"
            vn = noise_of(xv)
            if m < 0.4 * nv and "overfitting" not in fired:
                after = xv[m + 1:]
                newbest = 0
                run_best = xv[m]
                for v in after:
                    if v < run_best - 2 * max(vn, 1e-9):
                        newbest += 1
                        run_best = v
                if len(after) and (len(after) - newbest) / len(after) >= 0.5:
                    fired["early_stopping_missing"] = f"best at {m / nv:.0%}"
            h = nv // 2
            if len(xe) == nv:
                better = np.mean(xv[h:] <= 0.9 * xe[h:])
                if better >= 0.8:
                    fired["val_better_than_train"] = f"val < 0.9 train at {better:.0%}"
            # noisy validation
            if len(xv) >= 6 and np.isfinite(xe).all() and (xv > 0).all() and (xe > 0).all():
                dv, dt = np.diff(np.log(xv)), np.diff(np.log(xe))
                rs = lambda d: 1.4826 * float(np.median(np.abs(d - np.median(d))))
                sv, st = rs(dv), rs(dt)
                if sv >= 3 * st and sv >= 0.08:
                    fired["noisy_validation"] = f"robust sigma val {sv:.3f} vs train {st:.3f}"
        tacc, vacc = pick(rec, "accuracy", "train", "epoch"), pick(rec, "accuracy", "val", "epoch")
        if tacc is not None and vacc is not None and "overfitting" not in fired:
            ta, vv = vals(tacc), vals(vacc)
            if np.isfinite(ta).all() and np.isfinite(vv).all() and len(ta) and len(vv):
                if ta[-1] - vv[-1] >= 0.1:
                    fired["generalization_gap"] = f"acc gap {ta[-1] - vv[-1]:.2f}"
        if "generalization_gap" not in fired and "overfitting" not in fired and np.isfinite(xv).all() and np.isfinite(xe).all():
            if level(tenth(xv, "end")) >= 2 * level(tenth(xe, "end")) and task == "regression":
                fired["generalization_gap"] = f"val/train loss {level(tenth(xv, 'end')) / max(1e-12, level(tenth(xe, 'end'))):.1f}"
        if tacc is not None and vacc is not None:
            ta, vv = vals(tacc), vals(vacc)
            h = len(ta) // 2
            if len(ta) == len(vv) and len(ta) >= 2 and np.isfinite(ta).all() and np.isfinite(vv).all():
                if np.median(vv[h:] - ta[h:]) >= 0.1:
                    fired["label_noise"] = f"train acc {np.median(ta[h:]):.2f} < val {np.median(vv[h:]):.2f}"
    if lnK and np.isfinite(x[0]) and x[0] >= 3 * lnK:
        fired["bad_initial_loss"] = f"first {x[0]:.3g} >= 3 lnK {3 * lnK:.3g}"
    return fired


SUBSUME = {
    "nan_loss": "*",
    "divergence": ["train_loss_rising", "lr_too_high", "not_converged", "plateau", "overfitting", "generalization_gap",
                   "early_stopping_missing", "stuck_at_chance", "oscillation"],
    "lr_too_high": ["stuck_at_chance", "plateau", "underfitting", "slow_convergence", "oscillation"],
    "unshuffled_data": ["train_loss_rising", "divergence", "loss_spikes", "oscillation", "noisy_validation"],
    "stuck_at_chance": ["plateau", "underfitting", "slow_convergence"],
    "underfitting": ["plateau", "not_converged", "slow_convergence"],
    "lr_too_low": ["not_converged", "slow_convergence"],
    "overfitting": ["early_stopping_missing", "generalization_gap", "noisy_validation"],
    "label_noise": ["val_better_than_train", "overfitting", "generalization_gap"],
    "oscillation": ["noisy_validation", "loss_spikes"],
}


def one_story(fired):
    labels = set(fired)
    for a, rm in SUBSUME.items():
        if a in labels:
            if rm == "*":
                labels = {l for l in labels if l in ("nan_loss", "bad_initial_loss", "unshuffled_data")}
            else:
                labels -= set(rm)
    return labels or {"healthy"}


def load(out):
    recs = []
    for p in glob.glob(os.path.join(out, "runs", "*", "record.json")):
        with open(p) as fh:
            recs.append(json.load(fh))
    return recs


def refs(recs):
    by = defaultdict(list)
    first = defaultdict(list)
    for r in recs:
        if r["intended"] != "healthy":
            continue
        s = pick(r, "loss", "train", "epoch")
        if s is None or s["cadence"] != "epoch":
            s = pick(r, "loss", "train", "step")
        x = vals(s)
        if len(x) and np.isfinite(x).all():
            k = (r["config"]["dataset"], r["config"]["family"])
            by[k].append(level(tenth(x, "end")))
            first[("first",) + k].append(x[0])
    out = {k: float(np.median(v)) for k, v in by.items()}
    out.update({k: float(np.median(v)) for k, v in first.items()})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    ap.add_argument("--label")
    ap.add_argument("--framework")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--refs-from", default=None, help="another out dir whose healthy runs give the references")
    a = ap.parse_args()
    recs = load(a.out)
    ref = refs(recs + (load(a.refs_from) if a.refs_from else []))
    tab = defaultdict(Counter)
    for r in sorted(recs, key=lambda r: (r["intended"], r["id"])):
        if a.label and r["intended"] not in a.label.split(","):
            continue
        if a.framework and r["config"]["framework"] != a.framework:
            continue
        fired = checks(r, ref)
        story = one_story(fired) if "dropped" not in fired else {"dropped"}
        ok = r["intended"] in story
        tab[r["intended"]]["ok" if ok else "miss"] += 1
        if a.verbose or not ok:
            s = pick(r, "loss", "train", "step")
            v = pick(r, "loss", "val", "epoch")
            def f(s):
                if not s:
                    return "-"
                x = vals(s)
                fin = x[np.isfinite(x)]
                return f"{x[0]:.3g}/{(fin.min() if len(fin) else float('nan')):.3g}/{x[-1]:.3g}({len(x)}{s['cadence'][0]})"
            acc = pick(r, "accuracy", "val", "epoch") or pick(r, "accuracy", "train", "epoch")
            ac = f" acc={float(acc['values'][-1]):.3f}" if acc and not isinstance(acc["values"][-1], str) else ""
            print(f"{'OK ' if ok else 'MISS'} {r['id']:<58} -> {','.join(sorted(story)):<40} tr {f(s)} va {f(v)}{ac}")
            print(f"      cause: {r['cause']}; fired: {fired}")
    print()
    tot = Counter()
    for lab in sorted(tab):
        c = tab[lab]
        tot.update(c)
        print(f"{lab:<24} ok {c['ok']:>4} miss {c['miss']:>4}  ({c['ok'] / max(1, c['ok'] + c['miss']):.0%})")
    print(f"{'all':<24} ok {tot['ok']:>4} miss {tot['miss']:>4}  ({tot['ok'] / max(1, tot['ok'] + tot['miss']):.0%})")


if __name__ == "__main__":
    main()
