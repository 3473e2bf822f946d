"""Hand-written PyTorch loops (the bulk of the corpus): one process trains many runs of the plan.

    python3 bench/corpus/gen_torch.py --out bench/corpus/out [--shard 0/4] [--only-label nan_loss] [--limit 10]
"""
from __future__ import annotations

import math
import os
import random
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402


def train_torch(cfg, data, pilot_patience=None):
    """Trains one run; returns its History (every step's loss and rate, per-epoch metrics). With pilot_patience,
    also tracks the loss on the clean validation set and stops once it has not improved for that many epochs
    (H.best_epoch): the pilot that fits a run's epoch count."""
    import torch
    C.ensure_torch_modules()
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    model = C.torch_model(cfg, data)
    C.apply_init_faults(model, cfg)
    opt = C.torch_optimizer(cfg, model.parameters())
    loss_fn = C.torch_loss(cfg, data)
    cls = data.task == "classification"
    Xtr, Xva = torch.from_numpy(data.Xtr), torch.from_numpy(data.Xva)
    ytr, yva = torch.from_numpy(data.ytr), torch.from_numpy(data.yva)
    n = len(ytr)
    B = cfg["batch"]
    spe = math.ceil(n / B)
    E = cfg["epochs"]
    total = spe * E
    faults = cfg.get("faults", {})
    corrupt = C.corrupt_steps(cfg, total)
    H = C.History(cfg, spe, data.task)
    es = cfg.get("early_stopping")
    best, best_ep, since, best_state = float("inf"), 0, 0, None
    nan_epochs = 0
    has_val = cfg.get("has_val", True) and len(yva) > 0
    noise = float(faults.get("train_input_noise", 0.0))
    vrb = faults.get("val_random_batch")
    step = 0
    H.best_epoch, pbest, pbest_ep = None, float("inf"), 0
    if cfg.get("fit_on") == "val":  # the pilot watches the logged validation set itself
        Xvc, yvc = Xva, yva
    else:
        Xvc, yvc = torch.from_numpy(data.Xva_clean), torch.from_numpy(data.yva_clean)
    for ep in range(1, E + 1):
        model.train()
        order = torch.arange(n) if faults.get("sorted") else torch.from_numpy(rng.permutation(n))
        losses, correct, abs_err, seen = [], 0, 0.0, 0
        for b in range(spe):
            idx = order[b * B:(b + 1) * B]
            x, y = Xtr[idx], ytr[idx]
            if step in corrupt:
                if faults.get("corrupt_mode") == "targets" and not cls:
                    y = y * float(faults.get("corrupt_scale", 30.0))
                else:
                    x = x * float(faults.get("corrupt_scale", 30.0))
            if noise:
                x = x + noise * torch.randn_like(x)
            lr = cfg["lr"] * C.lr_mult(cfg, step, total, spe)
            for g in opt.param_groups:
                g["lr"] = lr
            out = model(x)
            loss = loss_fn(out, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.get("clip"):
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
            opt.step()
            lv = float(loss.detach())
            H.step_loss.append(lv)
            H.step_lr.append(lr)
            losses.append(lv)
            with torch.no_grad():
                if cls:
                    correct += int((out.argmax(1) == y).sum())
                else:
                    abs_err += float((out.squeeze(-1) - y).abs().sum())
            seen += len(idx)
            step += 1
        e = {"epoch": ep, "step": step, "lr": H.step_lr[-1], "loss": float(np.mean(losses))}
        e["accuracy" if cls else "mae"] = correct / seen if cls else abs_err / seen
        if has_val:
            model.eval()
            with torch.no_grad():
                if vrb:
                    pick = torch.from_numpy(rng.choice(len(yva), min(int(vrb), len(yva)), replace=False))
                    xv, yv = Xva[pick], yva[pick]
                else:
                    xv, yv = Xva, yva
                outs = torch.cat([model(xv[i:i + 512]) for i in range(0, len(yv), 512)])
                e["val_loss"] = float(loss_fn(outs, yv))
                if cls:
                    e["val_accuracy"] = float((outs.argmax(1) == yv).float().mean())
                else:
                    e["val_mae"] = float((outs.squeeze(-1) - yv).abs().mean())
        H.epochs.append(e)
        if pilot_patience:
            model.eval()
            with torch.no_grad():
                outs = torch.cat([model(Xvc[i:i + 512]) for i in range(0, len(yvc), 512)])
                cl = float(loss_fn(outs, yvc))
            if cl < pbest * (1 - 1e-3):
                pbest, pbest_ep = cl, ep
            H.best_epoch = pbest_ep
            if not math.isfinite(cl) or ep - pbest_ep >= pilot_patience:
                break
        if not math.isfinite(e["loss"]):
            nan_epochs += 1
            if cfg.get("stop_after_nan") and nan_epochs >= cfg["stop_after_nan"]:
                break
        if es:
            metric = e["val_loss"] if has_val else e["loss"]
            if metric < best - 1e-4:
                best, best_ep, since = metric, ep, 0
            elif ep > es.get("start", 0):
                since += 1
                if since >= es["patience"]:
                    H.stopped_at = ep
                    break
    return H


def fitted_epochs(best, rng, cap):
    """A person who looked at the curves: the validation minimum plus a little margin."""
    return int(max(5, min(cap, best + max(1, round(best * rng.uniform(0.05, 0.25))))))


def fit_and_train(cfg, data, notes):
    """Pilot on the clean validation set, then keep the fitted epochs: the same seed gives the same batches, and the
    schedule stays the one planned for the full length (as when early stopping cuts a planned run), so the fitted
    run is exactly the pilot's first epochs."""
    planned = cfg["epochs"]
    cfg["sched_epochs"] = planned
    pat = max(5, int(0.12 * planned))
    P = train_torch(cfg, data, pilot_patience=pat)
    best = P.best_epoch or len(P.epochs)
    E = fitted_epochs(best, random.Random(cfg["seed"] * 17 + 3), len(P.epochs))
    notes.append(f"epochs fitted to the task: {E} (a pilot's clean validation minimum at epoch {best}, planned at most {planned})")
    P.epochs = P.epochs[:E]
    P.step_loss = P.step_loss[:E * P.spe]
    P.step_lr = P.step_lr[:E * P.spe]
    return P, planned


def _median(xs):
    xs = sorted(x for x in xs if math.isfinite(x))
    if not xs:
        return float("nan")
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else 0.5 * (xs[m - 1] + xs[m])


def curve_shape(ys):
    """The shape of a loss curve on the log scale, read the way the README's progress checks read it: progress P
    (head = median of the first 3 points, tail = median of the last 10 %, >= 3 points), the share h of the run at
    which the 3-point rolling median first covers half of P, the last quarter's change (a Theil-Sen slope) and its
    noise threshold (2 standard errors from the second differences' robust sigma, at least 0.3 %)."""
    lv = [math.log(y) if y > 0 else float("nan") for y in ys]
    n = len(lv)
    if n < 6 or not all(math.isfinite(v) for v in lv):
        return None
    head = _median(lv[:3])
    k10 = min(n, max(3, int(n * 0.1)))
    tail = _median(lv[n - k10:])
    P = head - tail
    sm = [_median(lv[max(0, i - 1):i + 2]) for i in range(n)]
    half = head - P / 2
    i = next((i for i in range(n) if sm[i] <= half), n - 1)
    h = i / (n - 1)
    k = max(4, math.ceil(n / 4))
    xs = list(range(n - k, n))
    sl = [(lv[xs[j]] - lv[xs[i2]]) / (xs[j] - xs[i2]) for i2 in range(k) for j in range(i2 + 1, k)]
    change = _median(sl) * (k - 1)
    d2 = [lv[i2 + 1] - 2 * lv[i2] + lv[i2 - 1] for i2 in range(1, n - 1)]
    md = _median(d2)
    sigma = 1.4826 * _median([abs(x - md) for x in d2]) / math.sqrt(6) if len(d2) >= 3 else 0.0
    thr = max(2 * sigma * math.sqrt(12 / k), 0.003)
    return P, h, change, thr


def progress_curve(H):
    """The curve a reader judges progress on: the validation loss per epoch when there are >= 6, else the train."""
    va = [e.get("val_loss") for e in H.epochs]
    if len(va) >= 6 and all(v is not None and math.isfinite(v) for v in va) and H.cfg.get("has_val", True):
        return va
    return [e["loss"] for e in H.epochs]


def slow_length(curve, cap, lo=10):
    """slow_convergence: where a person would have stopped so that the run shows the long flat start, the descent
    in its second half and a flat (converged) end: the shortest length whose curve shape says so; None when the
    loss never left its start (the run then stays as long as planned)."""
    best = None
    for E in range(lo, min(cap, len(curve)) + 1):
        s = curve_shape(curve[:E])
        if not s:
            continue
        P, h, change, thr = s
        if P >= 0.2 and h >= 0.47 and abs(change) < thr:
            return E
        if P >= 0.2 and (best is None or h > best[0]):
            best = (h, E)
    return best[1] if best else None


def slowfit(cfg, data, notes):
    planned = cfg["epochs"]
    P = train_torch(cfg, data)
    E = slow_length(progress_curve(P), len(P.epochs))
    if E is None:
        notes.append(f"the loss never left its starting level in {planned} epochs")
        return P, planned
    notes.append(f"run length {E} epochs (planned {planned}): the descent after the flat start sits mid-run")
    P.epochs = P.epochs[:E]
    P.step_loss = P.step_loss[:E * P.spe]
    P.step_lr = P.step_lr[:E * P.spe]
    return P, planned


def undertrain(cfg, data, notes):
    """not_converged: a pilot trains the setup to its clean validation minimum (the epochs it needs); the run is
    stopped early, at the first length (4-12 epochs) whose curve still improves clearly at the end after most of its
    progress came early (a run cut while still descending); failing that, a share of the epochs needed."""
    u = cfg["undertrain"]
    P = train_torch(cfg, data, pilot_patience=max(6, int(0.08 * cfg["epochs"])))
    best = P.best_epoch or len(P.epochs)
    x = np.array([e["loss"] for e in P.epochs[:best]], float)
    needed = best
    if len(x) >= 3 and np.isfinite(x).all() and x[0] > x.min():
        needed = int(np.argmax(x <= x.min() + 0.1 * (x[0] - x.min()))) + 1
    lo, hi = u.get("min_epochs", 4), min(u.get("max_epochs", 12), len(P.epochs))
    curve = progress_curve(P)
    E = None
    for e in range(max(lo, 6), hi + 1):
        s = curve_shape(curve[:e])
        if s and s[0] > 0 and -s[2] >= s[3] and -s[2] >= 0.08 * s[0] and s[1] < 0.45:
            E = e
            break
    if E is None:
        E = int(min(hi, max(lo, round(needed * u["share"]))))
    needed = max(needed, best)
    notes.append(f"stopped after {E} epochs; the same setup reaches its validation minimum at epoch {best}")
    P.epochs = P.epochs[:E]
    P.step_loss = P.step_loss[:E * P.spe]
    P.step_lr = P.step_lr[:E * P.spe]
    return P, needed


def train_one(cfg, run_dir, out):
    import torch
    torch.set_num_threads(1)
    data = C.load_data(cfg, os.path.join(out, "data"))
    cfg = dict(cfg)
    cfg["_n_val_actual"] = len(data.yva)
    notes = list(data.notes)
    if cfg.get("fit_epochs"):
        H, planned = fit_and_train(cfg, data, notes)
        cfg["planned_epochs"], cfg["epochs"] = planned, len(H.epochs)
    elif cfg.get("slowfit"):
        H, info = slowfit(cfg, data, notes)
        cfg["planned_epochs"], cfg["epochs"] = info, len(H.epochs)
    elif cfg.get("undertrain"):
        H, needed = undertrain(cfg, data, notes)
        cfg["needed_epochs"], cfg["epochs"] = needed, len(H.epochs)
        cfg["cause"] = f"tuned {cfg['optimizer']} rate, {len(H.epochs)} epochs of the ~{needed} needed"
    else:
        H = train_torch(cfg, data)
    rng = random.Random(cfg["seed"] * 31 + 7)
    rel = C.write_torch_log(H, run_dir, rng)
    if getattr(H, "stopped_at", None):
        notes.append(f"early stopping after epoch {H.stopped_at} (patience {cfg['early_stopping']['patience']})")
    notes.append("epochs in record.json are 1-based counts of completed epochs")
    return {"log": rel, "spe": H.spe, "cfg": cfg, "task": data.task, "classes": data.classes, "majority": data.majority,
            "train_size": len(data.ytr), "val_size": len(data.yva) if cfg.get("has_val", True) else 0,
            "epochs_run": len(H.epochs), "notes": notes}


def main():
    args, runs = C.generator_args("torch")
    import torch
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    C.run_all("torch", runs, args.out, train_one, verbose=not args.quiet)


if __name__ == "__main__":
    main()
