"""The run plan of the corpus: every run's config, derived from its seed alone (deterministic, no I/O).

    python3 bench/corpus/plan.py            # counts per label x framework x split
    python3 bench/corpus/plan.py --json     # the whole plan as JSON lines

Each run gets a unique integer seed (1, 2, ... in plan order); its config is drawn with random.Random(seed) by the
recipe of its intended label (see README.md: the "cause" column). The split (README "Split") is decided here from
the config alone, before anything is trained or fitted.
"""
from __future__ import annotations

import json
import math
import random
import sys
from collections import Counter, defaultdict

LABELS = [
    "healthy", "nan_loss", "divergence", "lr_too_high", "oscillation", "loss_spikes", "unshuffled_data",
    "lr_too_low", "not_converged", "slow_convergence", "plateau", "underfitting", "stuck_at_chance",
    "train_loss_rising", "overfitting", "generalization_gap", "noisy_validation", "val_better_than_train",
    "early_stopping_missing", "bad_initial_loss", "label_noise",
]
FRAMEWORKS = ["torch", "keras", "lightning", "hf", "tfjs"]

# Runs per framework and, of those, healthy ones (healthy is where false alarms are measured: >= 25 % overall).
BUDGET = {"torch": (1400, 380), "keras": (350, 95), "lightning": (235, 63), "hf": (115, 32), "tfjs": (185, 50)}

# Relative weight of each fault label per framework (0 or absent = the framework cannot express the cause well).
# Labels whose checks are strict or whose symptom depends on the seed get more runs.
_W_ALL = {
    "nan_loss": 1.0, "divergence": 1.1, "lr_too_high": 1.1, "oscillation": 1.15, "loss_spikes": 1.0,
    "unshuffled_data": 1.0, "lr_too_low": 0.95, "not_converged": 1.1, "slow_convergence": 1.2, "plateau": 1.15,
    "underfitting": 1.1, "stuck_at_chance": 0.9, "train_loss_rising": 1.1, "overfitting": 0.9,
    "generalization_gap": 1.1, "noisy_validation": 1.1, "val_better_than_train": 0.85,
    "early_stopping_missing": 1.1, "bad_initial_loss": 0.85, "label_noise": 0.85,
}
LABEL_WEIGHTS = {
    "torch": dict(_W_ALL),
    # Keras' own loggers only hold running means at step level: a single corrupted batch cannot show as a spike.
    "keras": {k: v for k, v in _W_ALL.items() if k != "loss_spikes"},
    "lightning": dict(_W_ALL),
    "hf": dict(_W_ALL),
    # The jobs code has a constant rate, no schedule, no corrupted batches and no shifted validation.
    "tfjs": {k: _W_ALL[k] for k in [
        "nan_loss", "lr_too_high", "oscillation", "unshuffled_data", "lr_too_low", "not_converged",
        "slow_convergence", "underfitting", "stuck_at_chance", "overfitting", "noisy_validation",
        "val_better_than_train", "early_stopping_missing", "bad_initial_loss", "label_noise"]},
}

# ---------------------------------------------------------------------------------------------------------------
# Datasets and model families
# ---------------------------------------------------------------------------------------------------------------
# kind: image | tabular | sequence; task; classes (None = regression); n = examples available.
DATASETS = {
    "mnist": dict(kind="image", task="classification", classes=10, n=10000, group="mnist"),
    "digits": dict(kind="image", task="classification", classes=10, n=1797, group="digits"),
    "iris": dict(kind="tabular", task="classification", classes=3, n=150, group="iris"),
    "breast_cancer": dict(kind="tabular", task="classification", classes=2, n=569, group="breast_cancer"),
    "wine": dict(kind="tabular", task="classification", classes=3, n=178, group="wine"),
    "moons": dict(kind="tabular", task="classification", classes=2, n=2500, group="moons"),
    "circles": dict(kind="tabular", task="classification", classes=2, n=2500, group="circles"),
    "classification": dict(kind="tabular", task="classification", classes=4, n=2500, group="classification"),
    "friedman1": dict(kind="tabular", task="regression", classes=None, n=2500, group="regression"),
    "diabetes": dict(kind="tabular", task="regression", classes=None, n=442, group="regression"),
    # The sequence tasks (README: "a sequence task"): one held-out group, three synthetic variants.
    "adding": dict(kind="sequence", task="regression", classes=None, n=2500, group="sequence"),
    "sine": dict(kind="sequence", task="regression", classes=None, n=2500, group="sequence"),
    "freq": dict(kind="sequence", task="classification", classes=3, n=2500, group="sequence"),
}
HELD_OUT_GROUPS = {"breast_cancer", "wine", "sequence"}
HELD_OUT_FAMILIES = {"gru"}

# (dataset, family) -> weight for healthy runs (and for faults that accept any combination).
COMBOS = {
    ("mnist", "mlp"): 1.2, ("mnist", "cnn"): 0.9, ("mnist", "linear"): 0.3, ("mnist", "transformer"): 0.3,
    ("mnist", "gru"): 0.25,
    ("digits", "mlp"): 1.2, ("digits", "cnn"): 0.8, ("digits", "linear"): 0.4, ("digits", "transformer"): 0.4,
    ("digits", "gru"): 0.35,
    ("iris", "mlp"): 0.8, ("iris", "linear"): 0.3, ("iris", "transformer"): 0.15,
    ("breast_cancer", "mlp"): 0.6, ("breast_cancer", "linear"): 0.3,
    ("wine", "mlp"): 0.5, ("wine", "linear"): 0.25,
    ("moons", "mlp"): 0.9, ("moons", "transformer"): 0.2,
    ("circles", "mlp"): 0.7,
    ("classification", "mlp"): 0.9, ("classification", "linear"): 0.3, ("classification", "transformer"): 0.25,
    ("friedman1", "mlp"): 0.7, ("friedman1", "transformer"): 0.15,
    ("diabetes", "mlp"): 0.45, ("diabetes", "linear"): 0.25,
    ("adding", "gru"): 0.35, ("adding", "transformer"): 0.2, ("adding", "mlp"): 0.25,
    ("sine", "gru"): 0.3, ("sine", "mlp"): 0.25, ("sine", "cnn"): 0.2, ("sine", "transformer"): 0.15,
    ("freq", "gru"): 0.3, ("freq", "cnn"): 0.25, ("freq", "mlp"): 0.2, ("freq", "transformer"): 0.15,
}

# Per framework, which combinations it runs (the HF Trainer runs tiny BERTs on tokenised inputs; tfjs uses presets).
FAMILIES_OF = {
    "torch": {"linear", "mlp", "cnn", "gru", "transformer"},
    "keras": {"linear", "mlp", "cnn", "gru", "transformer"},
    "lightning": {"linear", "mlp", "cnn", "gru", "transformer"},
    "hf": {"transformer"},
}
HF_DATASETS = {"digits", "iris", "moons", "circles", "classification", "breast_cancer", "wine", "freq", "friedman1",
               "diabetes", "sine"}
TFJS_PRESETS = {"iris-mlp": ("iris", "mlp"), "blobs": ("blobs", "mlp"), "circles": ("circles", "mlp"),
                "spirals": ("spirals", "mlp"), "mnist-mlp": ("mnist", "mlp"), "seed-cnn": ("mnist", "cnn")}

# ---------------------------------------------------------------------------------------------------------------
# Formats (the log each run is written as)
# ---------------------------------------------------------------------------------------------------------------
LOG_FILE = {
    "keras_csv": "training.log", "history_json": "history.json", "trainer_state": "trainer_state.json",
    "lightning_csv": "metrics.csv", "tfevents": "events.out.tfevents", "console": "console.txt",
}
STEP_FORMATS = {"trainer_state", "lightning_csv", "tfevents", "console"}
CONSOLE_STYLES_TORCH = ["keras_epoch", "bracket", "mnist_example", "logging", "tqdm"]
STEP_CONSOLE_STYLES = {"mnist_example", "logging", "tqdm", "keras_v1", "lightning_tqdm", "hf_print"}
FORMATS = {
    "torch": {"keras_csv": 0.15, "history_json": 0.15, "trainer_state": 0.15, "lightning_csv": 0.13,
              "tfevents": 0.15, "console": 0.27},
    "keras": {"keras_csv": 0.3, "history_json": 0.25, "tfevents": 0.2, "console": 0.25},
    "lightning": {"lightning_csv": 0.5, "tfevents": 0.3, "console": 0.2},
    "hf": {"trainer_state": 0.75, "console": 0.25},
    "tfjs": {"history_json": 0.5, "keras_csv": 0.5},
}

# Tuned rates for standardised inputs (Adam-family rates per family; SGD ones relative).
TUNED = {"adam": 2e-3, "adamw": 2e-3, "rmsprop": 1e-3, "momentum": 0.05, "sgd": 0.2}
FAMILY_LR = {"linear": 1.0, "mlp": 1.0, "cnn": 1.0, "gru": 1.5, "transformer": 0.5}


def _pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _logu(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def split_of(dataset: str, family: str, seed: int) -> str:
    """README "Split": held-out datasets and families, plus every seed = 0 (mod 5), are test."""
    if DATASETS.get(dataset, {}).get("group") in HELD_OUT_GROUPS or family in HELD_OUT_FAMILIES or seed % 5 == 0:
        return "test"
    return "tune"


# ---------------------------------------------------------------------------------------------------------------
# One run
# ---------------------------------------------------------------------------------------------------------------
def _combo(rng, fw, allowed_datasets=None, allowed_families=None, extra=None):
    fams = FAMILIES_OF[fw]
    w = {}
    for (d, f), v in COMBOS.items():
        if f not in fams:
            continue
        if fw == "hf" and d not in HF_DATASETS:
            continue
        if allowed_datasets is not None and d not in allowed_datasets:
            continue
        if allowed_families is not None and f not in allowed_families and fw != "hf":
            continue
        w[(d, f)] = v
    if fw == "hf":  # tiny BERTs on every dataset they run, evenly
        w = {k: 1.0 for k in w}
    if extra and fw != "hf":
        w.update(extra)
    if not w:  # the framework cannot run any of them: its own default combinations
        return _combo(rng, fw)
    return _pick(rng, w)


CLS = {d for d, m in DATASETS.items() if m["task"] == "classification"}
REG = {d for d, m in DATASETS.items() if m["task"] == "regression"}
SMALL = {"iris", "wine", "breast_cancer", "diabetes"}


def _base(rng, fw, label, dataset, family):
    """A healthy configuration of (dataset, family): tuned optimizer, rate, batch, schedule and epochs (an upper
    bound: runs marked fit_epochs stop at the epoch count a pilot finds fitted, see gen_torch.py)."""
    meta = DATASETS[dataset]
    c = dict(dataset=dataset, family=family, task=meta["task"], classes=meta["classes"], kind=meta["kind"],
             _fw=_CUR_FW[0])
    opt = _pick(rng, {"adam": 0.45, "adamw": 0.15, "rmsprop": 0.1, "momentum": 0.22, "sgd": 0.08})
    if family in ("transformer", "gru") and opt == "sgd":
        opt = "momentum"
    c["optimizer"] = opt
    c["momentum"] = 0.9 if opt == "momentum" else 0.0
    c["lr"] = TUNED[opt] * FAMILY_LR[family] * _logu(rng, 0.7, 1.4)
    if meta["task"] == "regression" and opt in ("sgd", "momentum"):
        c["lr"] *= 0.3
    if fw == "hf":
        c["lr"] *= 2.5  # tiny BERTs from scratch on quantised tokens: a brisker rate than the torch transformer
    c["weight_decay"] = _pick(rng, {0.0: 0.3, 1e-4: 0.4, 5e-4: 0.3}) if opt != "adamw" else rng.choice([1e-2, 5e-2])
    # Data sizes: <= 2000 training examples; tiny sets use what they have (80 %), the others a slice.
    avail = meta["n"]
    if dataset in SMALL:
        n_train = int(avail * 0.8)
    else:
        cap = {"cnn": 1500 if dataset == "mnist" else 2000, "gru": 1200, "transformer": 1200}.get(family, 2000)
        n_train = rng.choice([600, 800, 1000, 1500, 2000])
        n_train = min(n_train, cap, int(avail * 0.8))
    c["n_train"] = n_train
    c["n_val"] = avail - n_train if dataset in SMALL else 400
    if n_train < 200:
        c["batch"] = rng.choice([8, 16, 32])
    elif family in ("gru", "transformer"):
        c["batch"] = rng.choice([32, 64, 64, 128])
    else:
        c["batch"] = rng.choice([16, 32, 32, 64, 64, 128])
    if c["batch"] <= 8:
        c["n_train"] = min(c["n_train"], 400)
    c["arch"] = _arch(rng, family, dataset)
    sw = {"constant": 0.45, "step": 0.15, "cosine": 0.25, "warmup": 0.15}
    if family == "transformer":
        sw = {"constant": 0.2, "cosine": 0.3, "warmup": 0.5}
    c["schedule"] = _pick(rng, sw)
    c["sched"] = {}
    if c["schedule"] == "step":
        c["sched"] = {"every_frac": rng.choice([0.3, 0.4, 0.5]), "gamma": rng.choice([0.1, 0.3, 0.5])}
    elif c["schedule"] == "warmup":
        c["sched"] = {"warmup_frac": rng.uniform(0.03, 0.1), "then": rng.choice(["constant", "cosine"])}
    # Epochs: enough optimizer steps to converge (SGD needs more), capped by cost.
    spe = math.ceil(c["n_train"] / c["batch"])
    target = {"adam": 1500, "adamw": 1500, "rmsprop": 1500, "momentum": 2500, "sgd": 3500}[opt]
    target *= _logu(rng, 0.7, 1.3)
    c["epochs"] = int(min(150, max(12, round(target / spe))))
    c["early_stopping"] = None
    c["fit_epochs"] = False
    c["has_val"] = True
    c["clip"] = None
    c["faults"] = {}
    return c


_CUR_FW = ["torch"]


def _fit(c, rng, grow=1.6):
    """The run stops at the epoch count fitted to the task: a pilot finds the clean validation minimum."""
    c["fit_epochs"] = True
    c["epochs"] = int(min(300, c["epochs"] * grow))
    c["early_stopping"] = None


def _es(c, rng):
    c["early_stopping"] = {"patience": rng.choice([3, 4, 5, 6]), "restore": rng.random() < 0.5,
                           "start": rng.choice([3, 5]) if c["family"] in ("gru", "transformer") else 0}
    if _CUR_FW[0] == "hf":  # the Trainer's EarlyStoppingCallback has no start epoch; tiny BERTs plateau first
        c["early_stopping"]["patience"] = rng.choice([8, 10])
    c["epochs"] = int(min(300, c["epochs"] * 1.6))
    c["fit_epochs"] = False


def _arch(rng, family, dataset):
    kind = DATASETS[dataset]["kind"]
    if family == "linear":
        return {}
    if family == "mlp":
        return {"hidden": rng.choice([32, 64, 64, 128]) if kind != "image" else rng.choice([64, 128, 256]),
                "depth": rng.choice([1, 2, 2, 3]), "act": _pick(rng, {"relu": 0.7, "tanh": 0.15, "gelu": 0.15}),
                "dropout": 0.0}
    if family == "cnn":
        return {"channels": rng.choice([(8, 16), (16, 32)]), "act": "relu", "dropout": 0.0}
    if family == "gru":
        return {"hidden": rng.choice([24, 32, 48]), "cell": _pick(rng, {"gru": 0.7, "lstm": 0.15, "rnn": 0.15}),
                "dropout": 0.0}
    if family == "transformer":
        return {"d_model": rng.choice([32, 48]), "heads": rng.choice([2, 4]), "layers": rng.choice([1, 2]),
                "dropout": 0.0}
    raise ValueError(family)


def _cadence(rng, c, fmt, need_step=False, min_per_epoch=1, k_max=None):
    """How often the log holds train points: epoch, every step, or every k steps (step-capable formats only)."""
    spe = math.ceil(c["n_train"] / c["batch"])
    total = spe * c["epochs"]
    if fmt not in STEP_FORMATS or (fmt == "console" and c.get("console_style") not in STEP_CONSOLE_STYLES):
        return "epoch", None
    if not need_step and rng.random() < 0.35 and c.get("console_style") != "mnist_example":
        return "epoch", None
    # About <= 3000 points: every k steps, with at least min_per_epoch points per epoch.
    k = max(1, math.ceil(total / 3000))
    if not need_step and rng.random() < 0.5:
        k = max(k, rng.choice([1, 2, 5, 10, 20, 50]))
    if k_max is not None:
        k = min(k, k_max)
    k = min(k, max(1, spe // max(1, min_per_epoch)))
    return ("step" if k == 1 else "every_k"), k


def _format(rng, fw, c, need_step=False):
    fmts = dict(FORMATS[fw])
    if need_step:
        fmts = {f: w for f, w in fmts.items() if f in STEP_FORMATS}
        if fw == "keras":
            fmts = {"tfevents": 1.0}  # verbose=1 redraws only every ~0.05 s when not on a terminal
    fmt = _pick(rng, fmts)
    style = None
    if fmt == "console":
        if fw == "torch":
            styles = CONSOLE_STYLES_TORCH if not need_step else [s for s in CONSOLE_STYLES_TORCH if s in STEP_CONSOLE_STYLES]
            style = rng.choice(styles)
        elif fw == "keras":
            style = rng.choice(["keras_v1", "keras_v2"])
            if c.get("has_val", True):
                # verbose=1 off a terminal prints the last progress-bar redraw before validation runs: no val_*
                style = "keras_v2"
        elif fw == "lightning":
            style = "lightning_tqdm"
        elif fw == "hf":
            style = "hf_print"
    return fmt, style


def step_ms(c):
    """CPU milliseconds of one training step (measured on this machine's 1 thread, PyTorch)."""
    f, B, d = c["family"], c["batch"], c["dataset"]
    big = d == "mnist"
    if f == "linear":
        return 0.25 + (0.02 if big else 0.003) * B
    if f == "mlp":
        return 0.35 + (0.03 if big else 0.008) * B * max(1, c.get("arch", {}).get("depth", 1)) ** 0.5
    if f == "cnn":
        return (0.5 + 0.085 * B) if big else (1.0 + 0.015 * B)
    if f == "gru":
        return (1.5 + 0.02 * B) * (3.0 if big else 1.0)
    if f == "transformer":
        return 1.8 + (0.1 if big else 0.04) * B
    return 1.0


FRAMEWORK_COST = {"torch": 1.0, "keras": 2.5, "lightning": 1.6, "hf": 3.0, "tfjs": 1.0}


def _regularise_cost(c, budget_ms=4000.0):
    """Keeps a run cheap: total steps x per-step cost about <= 4 s of CPU (PyTorch; other frameworks are slower
    per step and get proportionally fewer steps)."""
    spe = math.ceil(c["n_train"] / c["batch"])
    max_steps = budget_ms / (step_ms(c) * FRAMEWORK_COST.get(c.get("_fw", "torch"), 1.0))
    if spe * c["epochs"] > max_steps:
        c["epochs"] = max(3, int(max_steps // spe))


# Step-level formats whose train points are single batch losses (not means over the logging interval).
def single_step_values(c):
    return c["cadence"] != "epoch" and (c["format"] in ("lightning_csv", "tfevents") or
                                        c.get("console_style") in ("mnist_example", "lightning_tqdm"))


def _fixups(rng, c, label):
    """Format-dependent adjustments once the log format is known."""
    style = c.get("console_style")
    if c["framework"] == "keras" and c["format"] == "tfevents" and c["cadence"] != "epoch":
        # Keras' TensorBoard callback records *every* summary, the epoch ones too, only when the optimizer's
        # iteration count is a multiple of update_freq: keep update_freq a divisor of the steps per epoch.
        spe = math.ceil(c["n_train"] / c["batch"])
        k = int(c.get("log_every") or 1)
        c["log_every"] = max(d for d in range(1, min(k, spe) + 1) if spe % d == 0)
        c["cadence"] = "step" if c["log_every"] == 1 else "every_k"
    if label == "loss_spikes" and style in ("tqdm", "keras_v1"):
        c["console_style"] = "mnist_example"  # a running mean would hide the single corrupted batch
    if label in ("label_noise", "generalization_gap") and style == "mnist_example":
        c["console_style"] = "logging"  # the check needs the train accuracy, which that print style leaves out
    # A healthy run logged batch by batch: batches big enough that a batch loss is not a lottery.
    if label in ("healthy", "noisy_validation", "val_better_than_train", "label_noise", "generalization_gap",
                 "overfitting", "early_stopping_missing") and single_step_values(c) and c["framework"] != "tfjs":
        if c["batch"] < 64 and c["n_train"] >= 400:
            spe_old = math.ceil(c["n_train"] / c["batch"])
            c["batch"] = rng.choice([64, 128])
            c["epochs"] = max(c["epochs"], 5)


def derive(fw: str, label: str, seed: int) -> dict:
    rng = random.Random(seed)
    recipe = RECIPES[label]
    _CUR_FW[0] = fw
    c = recipe(rng, fw)
    c.pop("_fw", None)
    c.update(framework=fw, intended=label, seed=seed)
    if fw != "tfjs":
        fmt, style = _format(rng, fw, c, need_step=c.pop("_need_step", False))
        c["format"], c["console_style"] = fmt, style
        cad, k = _cadence(rng, c, fmt, need_step=c.get("_step_pref", False) or c.get("_min_per_epoch", 1) > 1,
                          min_per_epoch=c.pop("_min_per_epoch", 1), k_max=c.pop("_k_max", None))
        c.pop("_step_pref", None)
        if c["format"] == "tfevents" and fw == "keras":
            c["log_file"] = "logs"
        else:
            c["log_file"] = LOG_FILE[fmt]
        c["cadence"], c["log_every"] = cad, k
        _fixups(rng, c, label)
    c["split"] = split_of(c["dataset"], c["family"], seed)
    c["id"] = f"{fw}-{label}-{c['dataset']}-{c['family']}-{seed}"
    return c


# ---------------------------------------------------------------------------------------------------------------
# Recipes: one per label (README "cause in the corpus"); magnitudes vary by seed, most clear, some subtle
# ---------------------------------------------------------------------------------------------------------------
def r_healthy(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "healthy")
    d, f = _combo(rng, fw)
    c = _base(rng, fw, "healthy", d, f)
    if d == "mnist":
        c["n_train"] = max(c["n_train"], 1500)
    if c["optimizer"] != "adamw":
        c["weight_decay"] = rng.choice([1e-4, 5e-4])
    if d in ("iris", "wine"):
        c["batch"] = max(c["batch"], 16)
        c["lr"] *= 0.6
    c["cause"] = "tuned rate, epochs fitted to the task"
    if rng.random() < (0.7 if fw in ("keras", "hf") else 0.45):
        _es(c, rng)
        c["cause"] = f"tuned rate, early stopping (patience {c['early_stopping']['patience']})"
    else:
        _fit(c, rng)
    c["has_val"] = rng.random() < 0.9 or c["early_stopping"] is not None
    _regularise_cost(c)
    return c


def r_nan_loss(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "nan_loss")
    variant = _pick(rng, {"mse_ramp": 0.55, "log_zero": 0.2, "exploding_init": 0.25})
    if fw == "hf" and variant == "exploding_init":
        variant = "log_zero"
    if variant == "mse_ramp":
        d, f = _combo(rng, fw, allowed_datasets=REG, allowed_families={"mlp", "linear", "transformer", "gru", "cnn"})
        c = _base(rng, fw, "nan_loss", d, f)
        c["optimizer"], c["momentum"] = rng.choice([("sgd", 0.0), ("momentum", 0.9)])
        c["lr"] = TUNED[c["optimizer"]] * 0.3 * _logu(rng, 0.5, 1.0)
        if rng.random() < 0.3:
            c["faults"] = {"unnormalized_targets": 3.0}
            c["lr"] /= 30
        peak = _logu(rng, 30, 300)
        c["schedule"], c["sched"] = "ramp", {"peak_mult": peak, "ramp_frac": rng.uniform(0.3, 0.6)}
        c["cause"] = (f"warm-up of {c['optimizer']} on MSE to {peak:.0f}x the tuned rate"
                      + (" with unnormalised targets" if c["faults"] else "") + ": the loss overflows")
    elif variant == "exploding_init":
        d, f = _combo(rng, fw, allowed_datasets=CLS, allowed_families={"mlp"})
        c = _base(rng, fw, "nan_loss", d, f)
        c["arch"].update(depth=rng.choice([4, 6, 8]), act="relu")
        c["faults"] = {"init_std": rng.choice([1.0, 2.0, 3.0])}
        c["optimizer"], c["momentum"] = rng.choice([("sgd", 0.0), ("momentum", 0.9)])
        c["lr"] = _logu(rng, 0.01, 0.1)
        c["schedule"], c["sched"] = "constant", {}
        c["cause"] = f"exploding init (weights N(0, {c['faults']['init_std']}^2)), {c['arch']['depth']} ReLU layers, {c['optimizer']} {c['lr']:.3g}"
    else:
        d, f = _combo(rng, fw, allowed_datasets={"wine", "breast_cancer", "classification", "moons"},
                      allowed_families={"mlp"})
        c = _base(rng, fw, "nan_loss", d, f)
        c["faults"] = {"log_softmax_by_hand": True, "label_noise_all": rng.uniform(0.03, 0.1)}
        c["arch"]["act"] = "tanh"
        c["optimizer"], c["momentum"] = rng.choice([("sgd", 0.0), ("momentum", 0.9)])
        c["lr"] = _logu(rng, 1.0, 3.0) if c["optimizer"] == "sgd" else _logu(rng, 0.2, 0.6)
        c["schedule"], c["sched"] = "constant", {}
        c["cause"] = f"hand-written log(softmax) cross-entropy (log(0) = -inf) with {c['optimizer']} lr {c['lr']:.3g}"
    c["weight_decay"] = 0.0
    c["has_val"] = rng.random() < 0.8
    c["stop_after_nan"] = rng.choice([None, 1, 3])
    _regularise_cost(c)
    return c


def r_divergence(rng, fw):
    d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "circles", "moons", "freq",
                                             "breast_cancer", "wine"},
                  allowed_families={"mlp", "linear", "cnn"})
    c = _base(rng, fw, "divergence", d, f)
    if f == "mlp":
        c["arch"]["act"] = rng.choice(["tanh", "gelu", "relu"])
    c["optimizer"] = rng.choice(["adam", "adamw", "rmsprop"])
    c["lr"] = TUNED[c["optimizer"]] * FAMILY_LR[f]
    if rng.random() < 0.6:
        peak = _logu(rng, 50, 300)
        c["schedule"] = "ramp"
        c["sched"] = {"peak_mult": peak, "ramp_frac": rng.uniform(0.3, 0.55)}
        c["cause"] = f"warm-up to {peak:.0f}x the tuned peak over {c['sched']['ramp_frac']:.0%} of the run, then held"
    else:
        c["schedule"] = "drift"
        c["sched"] = {"end_mult": _logu(rng, 300, 1000)}
        c["cause"] = f"Adam rate drifting up {c['sched']['end_mult']:.0f}x over the run (ExponentialLR gamma > 1)"
    c["momentum"] = 0.0
    c["weight_decay"] = 0.0
    c["epochs"] = rng.randint(25, 60)
    c["early_stopping"] = None
    c["has_val"] = rng.random() < 0.8
    _regularise_cost(c)
    return c


def r_lr_too_high(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "lr_too_high")
    # Normalised nets (transformers), gated RNNs and tiny tabular sets absorb a high rate without the first-epoch
    # blow-up, and ReLU nets often just die: smooth-activation MLPs, linear models on MNIST/circles, RMSProp CNNs.
    variant = _pick(rng, {"mlp": 0.75, "linear": 0.1, "cnn": 0.15})
    if variant == "mlp":
        d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "circles", "moons", "freq"},
                      allowed_families={"mlp"})
    elif variant == "linear":
        d, f = _combo(rng, fw, allowed_datasets={"mnist", "circles"}, allowed_families={"linear"},
                      extra={("circles", "linear"): 0.5})
    else:
        d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits"}, allowed_families={"cnn"})
    c = _base(rng, fw, "lr_too_high", d, f)
    if f == "cnn":
        c["optimizer"] = "rmsprop"
    elif f == "linear":
        c["optimizer"] = rng.choice(["sgd", "momentum"])
    else:
        c["optimizer"] = _pick(rng, {"rmsprop": 0.35, "adam": 0.25, "sgd": 0.3, "momentum": 0.1})
        c["arch"]["act"] = _pick(rng, {"tanh": 0.4, "gelu": 0.35, "relu": 0.25})
    c["momentum"] = 0.9 if c["optimizer"] == "momentum" else 0.0
    lo, hi = {"rmsprop": (30, 100), "adam": (80, 150), "sgd": (15, 40), "momentum": (10, 20)}[c["optimizer"]]
    mult = _logu(rng, lo, hi)
    c["lr"] = TUNED[c["optimizer"]] * FAMILY_LR[f] * mult
    c["schedule"], c["sched"] = "constant", {}
    c["weight_decay"] = 0.0
    c["batch"] = rng.choice([16, 32, 32, 64])
    c["n_train"] = max(c["n_train"], 800)
    c["epochs"] = rng.randint(10, 40)
    c["cause"] = f"{c['optimizer']} rate {mult:.0f}x the tuned one ({c['lr']:.3g})"
    c["_need_step"] = rng.random() < 0.7
    c["_step_pref"] = c["_need_step"]
    c["has_val"] = rng.random() < 0.85
    _regularise_cost(c)
    return c

def r_oscillation(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "oscillation")
    # Noisy problems whose loss cannot reach zero, a one-layer tanh net, a rate at the edge of stability and tiny
    # batches: the iterate keeps swinging around a level instead of settling (nor drifting up: that is divergence).
    d, f = _combo(rng, fw, allowed_datasets={"moons", "circles", "iris"}, allowed_families={"mlp"},
                  extra={("moons", "mlp"): 1.0, ("circles", "mlp"): 0.35, ("iris", "mlp"): 0.35})
    c = _base(rng, fw, "oscillation", d, f)
    c["batch"] = rng.choice([2, 4, 4, 8])
    c["n_train"] = min(c["n_train"], rng.choice([200, 300, 400]))
    c["n_val"] = min(c["n_val"], 300)
    if f == "mlp":
        c["arch"].update(act="tanh", depth=1)
    if rng.random() < 0.6:
        c["optimizer"], c["momentum"] = "sgd", 0.0
        c["lr"] = _logu(rng, 0.4, 1.0)
    else:
        c["optimizer"], c["momentum"] = "adam", 0.0
        c["lr"] = _logu(rng, 0.05, 0.1)
    c["schedule"], c["sched"] = "constant", {}
    c["weight_decay"] = 0.0
    c["epochs"] = rng.randint(25, 50)
    c["early_stopping"] = None
    c["cause"] = f"{c['optimizer']} lr {c['lr']:.3g}, batch {c['batch']}"
    _regularise_cost(c)
    return c

def r_loss_spikes(rng, fw):
    d, f = _combo(rng, fw, allowed_families={"mlp", "cnn", "linear", "transformer"})
    c = _base(rng, fw, "loss_spikes", d, f)
    every = rng.randint(50, 300)
    mode = "targets" if c["task"] == "regression" else "inputs"
    c["faults"] = {"corrupt_every": every, "corrupt_mode": mode, "corrupt_scale": 30.0, "corrupt_offset": rng.randint(10, 40)}
    c["optimizer"] = rng.choice(["adam", "adam", "adamw", "rmsprop"]) if c["optimizer"] in ("sgd", "momentum") and rng.random() < 0.5 else c["optimizer"]
    c["momentum"] = 0.9 if c["optimizer"] == "momentum" else 0.0
    c["lr"] = TUNED[c["optimizer"]] * FAMILY_LR[f] * _logu(rng, 0.7, 1.2)
    c["clip"] = 1.0 if c["optimizer"] in ("sgd", "momentum") else None
    spe = math.ceil(c["n_train"] / c["batch"])
    c["epochs"] = max(c["epochs"], math.ceil(every * rng.randint(6, 12) / spe))
    c["early_stopping"] = None
    c["cause"] = f"a corrupted batch ({mode} x30) every {every} steps"
    c["_need_step"] = True
    c["_step_pref"] = True
    c["_k_max"] = 1
    _regularise_cost(c)
    return c


def r_unshuffled(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "unshuffled_data")
    d, f = _combo(rng, fw, allowed_datasets=CLS - {"breast_cancer"} | {"friedman1"},
                  allowed_families={"mlp", "cnn", "linear", "transformer", "gru"})
    c = _base(rng, fw, "unshuffled_data", d, f)
    c["faults"] = {"sorted": True}
    c["batch"] = rng.choice([16, 32, 32, 64])
    c["n_train"] = min(c["n_train"], 1500) if d not in SMALL else c["n_train"]
    spe = math.ceil(c["n_train"] / c["batch"])
    c["epochs"] = int(min(max(8, rng.randint(10, 30)), max(8, 3000 // max(spe, 1) * 2)))
    c["early_stopping"] = None
    c["cause"] = "training set sorted by " + ("class" if c["task"] == "classification" else "target") + ", shuffle off"
    c["_need_step"] = True
    c["_step_pref"] = True
    c["_min_per_epoch"] = 8 if spe >= 8 else spe
    _regularise_cost(c)
    return c


def r_lr_too_low(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "lr_too_low")
    d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "circles", "moons", "iris", "wine",
                                             "breast_cancer", "freq", "friedman1", "sine"},
                  allowed_families={"mlp", "linear", "cnn", "transformer"})
    c = _base(rng, fw, "lr_too_low", d, f)
    c["optimizer"] = _pick(rng, {"sgd": 0.35, "momentum": 0.35, "adam": 0.3})
    if f == "transformer" and c["optimizer"] == "sgd":
        c["optimizer"] = "momentum"
    c["momentum"] = 0.9 if c["optimizer"] == "momentum" else 0.0
    div = _logu(rng, 100, 1000) if c["optimizer"] != "adam" else _logu(rng, 100, 300)
    c["lr"] = TUNED[c["optimizer"]] * FAMILY_LR[f] / div
    c["schedule"], c["sched"] = "constant", {}
    c["early_stopping"] = None
    c["weight_decay"] = 0.0
    # As long as a healthy run of the setup (which would have converged by then).
    c["epochs"] = max(10, int(c["epochs"] * 0.5))
    c["cause"] = f"{c['optimizer']} rate {div:.0f}x below the tuned one ({c['lr']:.2g})"
    c["has_val"] = rng.random() < 0.85
    _regularise_cost(c)
    return c


def r_not_converged(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "not_converged")
    # Front-loaded descents (logistic regression, a brisk adaptive rate): a pilot finds when the loss has made 90 %
    # of its progress (the epochs it needs) and the run stops after 10-30 % of that (at least 4 epochs).
    fam = _pick(rng, {"linear": 0.35, "mlp": 0.55, "transformer": 0.1})
    d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "friedman1", "freq", "sine"},
                  allowed_families={fam})
    c = _base(rng, fw, "not_converged", d, f)
    c["optimizer"] = _pick(rng, {"adam": 0.6, "rmsprop": 0.2, "adamw": 0.2}) if f != "linear" else _pick(rng, {"sgd": 0.6, "adam": 0.4})
    c["momentum"] = 0.0
    c["lr"] = TUNED[c["optimizer"]] * FAMILY_LR[f] * _logu(rng, 0.5, 1.0)
    if c["task"] == "regression" and c["optimizer"] == "sgd":
        c["lr"] *= 0.3
    # Many steps per epoch: most of the descent is in the first epochs, the rest a slow decline the run cuts short.
    c["batch"] = rng.choice([16, 32, 32, 64])
    c["n_train"] = max(c["n_train"], 1000)
    c["schedule"], c["sched"] = "constant", {}
    c["weight_decay"] = 0.0 if c["optimizer"] != "adamw" else 0.01
    c["early_stopping"] = None
    c["epochs"] = 60
    # share of the epochs the loss takes to make 90 % of its progress (about 10-30 % of a healthy run's length)
    c["undertrain"] = {"share": rng.uniform(1.0, 1.6), "min_epochs": 4, "max_epochs": 12}
    c["has_val"] = True
    c["cause"] = f"tuned {c['optimizer']} rate, stopped after a few epochs while still descending"
    _regularise_cost(c, budget_ms=6000.0)
    return c


def r_slow_convergence(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "slow_convergence")
    # A long flat start, then the descent, then a floor: 2-D noisy problems (moons, circles with some label noise)
    # keep a loss floor a small net cannot memorise below, so "converged" is flat. (Unnormalised inputs with SGD,
    # the README's third cause, gave a fast start and a long tail here, not a flat start: left out.)
    variant = _pick(rng, {"deep_sigmoid": 0.4, "small_init": 0.6})
    if fw == "hf":
        variant = "small_init"
    if variant == "deep_sigmoid":
        d, f = _combo(rng, fw, allowed_datasets={"mnist", "wine", "iris", "breast_cancer"}, allowed_families={"mlp"})
    else:
        d, f = _combo(rng, fw, allowed_datasets={"moons", "circles"}, allowed_families={"mlp"},
                      extra={("moons", "mlp"): 1.0, ("circles", "mlp"): 0.7})
    c = _base(rng, fw, "slow_convergence", d, f)
    c["faults"] = {"label_noise_all": rng.uniform(0.05, 0.1)} if d == "circles" else {}
    if variant == "deep_sigmoid":
        c["arch"].update(depth=rng.randint(4, 5), act="sigmoid", hidden=rng.choice([32, 64]))
        c["optimizer"], c["momentum"] = "momentum", 0.9
        c["lr"] = _logu(rng, 0.1, 0.25)
        c["cause"] = f"{c['arch']['depth']}-layer sigmoid stack (vanishing gradients) with SGD momentum"
    else:
        c["arch"].update(depth=2, act="tanh", hidden=rng.choice([16, 32]))
        c["faults"]["init_scale"] = rng.choice([0.01, 0.02, 0.05])
        c["optimizer"], c["momentum"] = rng.choice([("sgd", 0.0), ("momentum", 0.9)])
        c["lr"] = TUNED[c["optimizer"]] * _logu(rng, 1.0, 2.0)
        c["cause"] = f"weights x{c['faults']['init_scale']} at init (a saddle at the origin), {c['optimizer']}"
    c["n_train"] = rng.choice([800, 1000, 1500])
    c["batch"] = rng.choice([16, 32, 64])
    c["weight_decay"] = 0.0
    c["schedule"], c["sched"] = "constant", {}
    # The run's length is set from a pilot so the descent sits mid-run and the end is converged (gen_*.slowfit).
    c["epochs"] = 250
    c["slowfit"] = True
    c["early_stopping"] = None
    _regularise_cost(c, budget_ms=8000.0)
    return c


def r_plateau(rng, fw):
    d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "circles", "friedman1", "freq", "sine"})
    c = _base(rng, fw, "plateau", d, f)
    c["optimizer"] = _pick(rng, {"momentum": 0.4, "sgd": 0.25, "adam": 0.35})
    if f in ("transformer", "gru") and c["optimizer"] == "sgd":
        c["optimizer"] = "momentum"
    c["momentum"] = 0.9 if c["optimizer"] == "momentum" else 0.0
    # A modest rate, cut to ~nothing after 15-25 % of the run, while the loss is still far from its end.
    c["lr"] = TUNED[c["optimizer"]] * FAMILY_LR[f] * _logu(rng, 0.25, 0.5)
    if c["task"] == "regression" and c["optimizer"] in ("sgd", "momentum"):
        c["lr"] *= 0.3
    c["batch"] = rng.choice([32, 64, 128])
    c["n_train"] = max(c["n_train"], 800) if d not in SMALL else c["n_train"]
    cut = rng.uniform(0.15, 0.25)
    c["schedule"] = "cut"
    c["sched"] = {"at_frac": cut, "mult": _pick(rng, {1e-3: 0.25, 1e-5: 0.35, 0.0: 0.4})}
    c["epochs"] = rng.randint(30, 60)
    c["early_stopping"] = None
    c["weight_decay"] = 0.0
    c["cause"] = f"rate cut x{c['sched']['mult']:g} after {cut:.0%} of the run (a step schedule with a wrong milestone)"
    c["has_val"] = rng.random() < 0.85
    _regularise_cost(c)
    return c


def r_underfitting(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "underfitting")
    variant = _pick(rng, {"linear": 0.1, "tiny": 0.5, "weight_decay": 0.4})
    if variant == "linear" and fw != "hf":
        d, f = _combo(rng, fw, allowed_datasets={"moons", "circles", "friedman1"}, allowed_families={"linear"},
                      extra={("moons", "linear"): 1.0, ("circles", "linear"): 1.0, ("friedman1", "linear"): 1.0})
        c = _base(rng, fw, "underfitting", d, f)
        c["cause"] = "linear model on non-linear data"
    elif variant == "tiny" and fw != "hf":
        d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "friedman1", "freq"},
                      allowed_families={"mlp"})
        c = _base(rng, fw, "underfitting", d, f)
        u = 1 if c["classes"] in (4, 10) or c["task"] == "regression" else rng.choice([1, 2])
        if f == "mlp":
            c["arch"].update(hidden=u, depth=1, act="tanh" if rng.random() < 0.5 else "relu")
        elif f == "gru":
            c["arch"].update(hidden=u)
        else:
            c["arch"].update(channels=(2, 2), bottleneck=u)
        if f == "mlp":
            c["arch"]["act"] = "tanh"
        c["optimizer"], c["momentum"] = "adam", 0.0
        c["lr"] = TUNED["adam"] * FAMILY_LR[f] * _logu(rng, 2.5, 5.0)
        c["cause"] = f"{u} hidden units"
    else:
        d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "friedman1", "freq"},
                      allowed_families={"mlp", "linear"})
        c = _base(rng, fw, "underfitting", d, f)
        c["optimizer"], c["momentum"] = "adam", 0.0
        c["lr"] = TUNED["adam"] * FAMILY_LR[f] * _logu(rng, 1.5, 3.0)
        c["weight_decay"] = _logu(rng, 0.015, 0.05) if c["task"] == "classification" else _logu(rng, 0.1, 0.3)
        c["cause"] = f"L2 weight decay {c['weight_decay']:.2g} (coupled, {c['optimizer']})"
    c["schedule"], c["sched"] = "constant", {}
    # Many small batches: the model reaches its (poor) level within the first epoch.
    c["batch"] = rng.choice([8, 16, 16]) if d not in SMALL else 8
    c["n_train"] = rng.choice([1500, 2000]) if d not in SMALL else c["n_train"]
    if c["batch"] <= 8:
        c["batch"] = 16 if d not in SMALL else 8
    c["epochs"] = rng.randint(10, 30)
    c["early_stopping"] = None
    _regularise_cost(c)
    return c


def r_stuck(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "stuck_at_chance")
    variant = _pick(rng, {"permuted_labels": 0.4, "zero_init": 0.3, "dead_relu": 0.3})
    fams = {"mlp", "linear", "cnn"} if variant == "permuted_labels" else {"mlp", "cnn"}
    dsets = {"mnist", "digits", "moons", "circles", "classification", "freq"} if variant == "permuted_labels" else CLS
    if fw == "hf":
        variant, fams = "permuted_labels", {"transformer"}
    d, f = _combo(rng, fw, allowed_datasets=dsets, allowed_families=fams)
    c = _base(rng, fw, "stuck_at_chance", d, f)
    if variant == "permuted_labels":
        # Nothing to learn; a small model on plenty of examples for a few epochs cannot memorise much either.
        c["faults"] = {"permute_labels": True}
        c["n_train"] = max(c["n_train"], 1500) if d not in SMALL else c["n_train"]
        c["weight_decay"] = max(c["weight_decay"], 1e-3)
        c["batch"] = max(c["batch"], 32)
        if f == "mlp":
            c["arch"].update(hidden=min(c["arch"]["hidden"], 16), depth=1)
        c["epochs"] = rng.randint(5, 12)
        c["cause"] = "labels permuted with respect to the inputs (a misaligned join)"
    elif variant == "zero_init":
        c["faults"] = {"zero_init": True}
        c["arch"]["act"] = rng.choice(["relu", "tanh"])
        c["epochs"] = rng.randint(10, 30)
        c["cause"] = "every weight initialised to zero"
    else:
        c["faults"] = {"dead_bias": -10.0}
        c["arch"]["act"] = "relu"
        c["epochs"] = rng.randint(10, 30)
        c["cause"] = "every ReLU dead at init (bias -10)"
    c["early_stopping"] = None
    _regularise_cost(c)
    return c


def r_train_loss_rising(rng, fw):
    # ReLU CNNs die at the raised rate and never recover; Adam adapts to it within an epoch unless it is 20x+.
    fam = _pick(rng, {"mlp": 0.8, "transformer": 0.1, "gru": 0.1})
    d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "friedman1", "freq", "sine",
                                             "adding"}, allowed_families={fam})
    c = _base(rng, fw, "train_loss_rising", d, f)
    c["optimizer"] = _pick(rng, {"momentum": 0.5, "sgd": 0.15, "adam": 0.25, "rmsprop": 0.1})
    if f in ("transformer", "gru") and c["optimizer"] == "sgd":
        c["optimizer"] = "momentum"
    c["momentum"] = 0.9 if c["optimizer"] == "momentum" else 0.0
    c["lr"] = TUNED[c["optimizer"]] * FAMILY_LR[f] * _logu(rng, 0.7, 1.2)
    if c["task"] == "regression" and c["optimizer"] in ("sgd", "momentum"):
        c["lr"] *= 0.3
    if f == "mlp":
        c["arch"]["act"] = rng.choice(["tanh", "gelu"])
    c["n_train"] = max(c["n_train"], 1000)
    c["weight_decay"] = rng.choice([1e-4, 5e-4])
    # Raised early, while the loss is still well above where it ends: the later training takes it back below.
    start = rng.uniform(0.15, 0.25)
    width = rng.uniform(0.16, 0.25)
    mult = _logu(rng, 10, 15) if c["optimizer"] in ("sgd", "momentum") else _logu(rng, 20, 30)
    c["schedule"] = "bump"
    c["sched"] = {"start_frac": start, "end_frac": min(0.6, start + width), "mult": mult,
                  "after": rng.choice([1.0, 0.3, 0.3])}
    c["epochs"] = rng.randint(20, 50)
    c["clip"] = 1.0 if c["optimizer"] in ("sgd", "momentum") else None
    c["early_stopping"] = None
    c["cause"] = f"rate raised {mult:.0f}x from {start:.0%} to {c['sched']['end_frac']:.0%} of the run, then lowered to x{c['sched']['after']:g}"
    _regularise_cost(c)
    return c

def r_overfitting(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "overfitting")
    d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "moons", "circles", "friedman1",
                                             "breast_cancer", "wine", "freq", "sine", "diabetes"},
                  allowed_families={"mlp", "cnn", "transformer", "gru"},
                  extra=None)
    if f != "mlp" and rng.random() < 0.5 and fw != "hf":
        f = "mlp"
    c = _base(rng, fw, "overfitting", d, f)
    frac = rng.uniform(0.05, 0.2)
    avail = int(DATASETS[d]["n"] * 0.8)
    c["n_train"] = max(40, int(min(avail, 2000) * frac))
    c["n_val"] = min(500, max(c["n_val"], 100))
    if d in SMALL:
        c["n_val"] = DATASETS[d]["n"] - c["n_train"]
    if f == "mlp":
        c["arch"].update(hidden=rng.choice([256, 512]), depth=rng.choice([2, 3]), dropout=0.0, act="relu")
    if c["task"] == "classification" and d in ("moons", "circles", "classification"):
        c["faults"] = {"label_noise_all": rng.uniform(0.05, 0.15)}  # noisy problem: more to memorise
    c["optimizer"] = rng.choice(["adam", "adam", "rmsprop", "adamw"])
    c["lr"] = TUNED[c["optimizer"]] * FAMILY_LR[f]
    c["weight_decay"] = 0.0
    c["momentum"] = 0.0
    c["batch"] = rng.choice([16, 32])
    c["schedule"], c["sched"] = "constant", {}
    c["epochs"] = rng.randint(80, 300)
    c["early_stopping"] = None
    c["cause"] = f"big model, {c['n_train']} training examples ({frac:.0%}), no regularisation, {c['epochs']} epochs"
    _regularise_cost(c)
    return c


def r_gap(rng, fw):
    d, f = _combo(rng, fw, allowed_datasets=CLS | {"friedman1", "sine"})
    c = _base(rng, fw, "generalization_gap", d, f)
    kind = DATASETS[d]["kind"]
    # Shifts under which the validation loss still improves at first (a rotated digit set makes it rise from the
    # first epoch: that reads as overfitting).
    if kind == "image":
        shift = _pick(rng, {"noise": 0.8, "shift": 0.2})
        size = rng.uniform(0.8, 1.3) if shift == "noise" else rng.uniform(0.5, 0.9)
    elif kind == "sequence":
        shift = _pick(rng, {"noise": 0.5, "feature_shift": 0.5})
        size = rng.uniform(0.8, 1.5)
    else:
        shift = _pick(rng, {"noise": 0.4, "feature_shift": 0.6})
        size = rng.uniform(0.8, 1.5)
    c["faults"] = {"val_shift": shift, "val_shift_size": size}
    # Trained until the (shifted) validation loss stops improving, as a person watching it would: the gap is there
    # from the start, the validation curve does not turn up.
    _fit(c, rng)
    c["fit_on"] = "val"
    c["weight_decay"] = max(c["weight_decay"], 1e-3) if c["optimizer"] != "adamw" else c["weight_decay"]
    c["cause"] = f"validation from a shifted distribution ({shift}, size {c['faults']['val_shift_size']:.2f})"
    _regularise_cost(c)
    return c


def r_noisy_val(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "noisy_validation")
    d, f = _combo(rng, fw, allowed_datasets={"mnist", "digits", "classification", "moons", "circles", "friedman1",
                                             "freq", "sine", "adding", "breast_cancer"})
    c = _base(rng, fw, "noisy_validation", d, f)
    c["batch"] = max(c["batch"], 32)
    c["n_train"] = max(c["n_train"], 800) if d not in SMALL else c["n_train"]
    if rng.random() < 0.75:
        c["faults"] = {"val_random_batch": rng.choice([8, 16, 16, 32])}
        c["cause"] = f"validation on one random batch of {c['faults']['val_random_batch']} per epoch"
    else:
        c["faults"] = {"val_tiny": rng.randint(10, 20)}
        c["cause"] = f"validation on {c['faults']['val_tiny']} examples"
    _fit(c, rng)
    _regularise_cost(c)
    return c


def r_val_better(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "val_better_than_train")
    d, f = _combo(rng, fw, allowed_families={"mlp", "cnn", "transformer", "gru"})
    c = _base(rng, fw, "val_better_than_train", d, f)
    if (rng.random() < 0.55 and f in ("mlp", "transformer", "gru")) or fw == "hf":
        p = rng.uniform(0.4, 0.6)
        c["arch"]["dropout"] = p
        c["cause"] = f"dropout {p:.2f}"
    else:
        s = rng.uniform(0.5, 1.0) if c["kind"] != "image" else rng.uniform(0.3, 0.6)
        c["faults"] = {"train_input_noise": s}
        c["cause"] = f"Gaussian input noise (sigma {s:.2f}) on training inputs only (augmentation)"
    _fit(c, rng)
    _regularise_cost(c)
    return c


def r_es_missing(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "early_stopping_missing")
    d, f = _combo(rng, fw, allowed_datasets={"iris", "moons", "breast_cancer", "wine", "digits", "classification",
                                             "circles"},
                  allowed_families={"mlp", "linear"})
    c = _base(rng, fw, "early_stopping_missing", d, f)
    # Converges early; strong weight decay then holds it at a floor: the later evaluations only add noise.
    c["optimizer"] = rng.choice(["adam", "adam", "adamw"])
    c["momentum"] = 0.0
    c["lr"] = TUNED[c["optimizer"]] * _logu(rng, 0.8, 1.5)
    c["weight_decay"] = _logu(rng, 1e-3, 1e-2) if c["optimizer"] != "adamw" else _logu(rng, 0.05, 0.3)
    c["batch"] = rng.choice([32, 64])
    c["epochs"] = rng.randint(150, 300)
    # A StepLR copied from a 30-epoch recipe: the rate is 1e-4 of itself by a third of the run and the model freezes.
    c["schedule"], c["sched"] = "step", {"every_frac": rng.uniform(0.06, 0.08), "gamma": 0.1}
    c["early_stopping"] = None
    c["has_val"] = True
    if DATASETS[d]["n"] > 600:
        c["n_train"] = rng.choice([400, 600, 800])
        c["n_val"] = rng.choice([100, 200])
    c["cause"] = (f"an easy task with weight decay {c['weight_decay']:.2g} trained {c['epochs']} epochs, no early stopping "
                  f"(StepLR x0.1 every {max(1, round(c['sched']['every_frac'] * c['epochs']))} epochs)")
    _regularise_cost(c)
    return c


def r_bad_init(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "bad_initial_loss")
    d, f = _combo(rng, fw, allowed_datasets=CLS, allowed_families={"mlp", "cnn", "linear", "transformer", "gru"})
    c = _base(rng, fw, "bad_initial_loss", d, f)
    s = _logu(rng, 40, 100)
    c["faults"] = {"output_scale": s}
    c["cause"] = f"output layer x{s:.0f} at init (confidently wrong)"
    _fit(c, rng)
    c["_step_pref"] = rng.random() < 0.5
    _regularise_cost(c)
    return c


def r_label_noise(rng, fw):
    if fw == "tfjs":
        return _tfjs(rng, "label_noise")
    d, f = _combo(rng, fw, allowed_datasets=CLS)
    c = _base(rng, fw, "label_noise", d, f)
    p = rng.uniform(0.2, 0.6)
    if c["classes"] == 2:
        p = min(p, 0.4)
    c["faults"] = {"label_noise": p}
    c["weight_decay"] = max(c["weight_decay"], 1e-3) if c["optimizer"] != "adamw" else c["weight_decay"]
    c["cause"] = f"{p:.0%} of the training labels flipped, validation clean"
    _fit(c, rng)
    _regularise_cost(c)
    return c


def _tfjs(rng, label):
    """A job config for src/jobs (preset + options + faults); gen-tfjs.ts runs it in-process."""
    # iris-mlp trains on raw (unstandardised) Iris features: its first loss is 3-6 (>= 3 ln 3), so it only serves
    # the bad_initial_loss runs.
    weights = {"blobs": 0.25, "circles": 0.25, "spirals": 0.3, "mnist-mlp": 0.15, "seed-cnn": 0.05}
    if label == "bad_initial_loss":
        weights["iris-mlp"] = 0.3
    if label in ("overfitting", "noisy_validation", "underfitting", "not_converged", "lr_too_low"):
        weights = {"spirals": 0.5, "mnist-mlp": 0.35, "circles": 0.15}
    if label in ("slow_convergence",):
        weights = {"blobs": 0.5, "circles": 0.5}
    if label == "lr_too_high":
        weights = {"circles": 0.5, "spirals": 0.5}
    if label == "oscillation":
        weights = {"blobs": 1.0}  # overlapping blobs: a loss floor the iterate keeps swinging around
    if label == "val_better_than_train":
        weights = {"blobs": 0.3, "circles": 0.3, "spirals": 0.4}
    preset = _pick(rng, weights)
    dataset, family = TFJS_PRESETS[preset]
    job = {"preset": preset, "optimizer": _pick(rng, {"adam": 0.6, "momentum": 0.2, "rmsprop": 0.1, "sgd": 0.1}),
           "batchSize": rng.choice([16, 32, 64]), "shuffle": True, "validationSplit": 0.2, "earlyStopping": None,
           "dropout": 0.0, "l2": 0.0, "limit": None, "faults": {}}
    tuned = {"adam": 1e-2, "momentum": 5e-2, "rmsprop": 3e-3, "sgd": 0.2}
    if preset in ("mnist-mlp", "seed-cnn"):
        tuned = {"adam": 1e-3, "momentum": 2e-2, "rmsprop": 1e-3, "sgd": 0.1}
        job["limit"] = rng.choice([1000, 1500, 2000]) if preset == "mnist-mlp" else rng.choice([600, 800])
    job["learningRate"] = tuned[job["optimizer"]] * _logu(rng, 0.7, 1.4)
    base_epochs = {"iris-mlp": 60, "blobs": 20, "circles": 40, "spirals": 60, "mnist-mlp": 12, "seed-cnn": 6}[preset]
    job["epochs"] = base_epochs
    cause = "tuned"
    f = job["faults"]
    if label == "healthy":
        # Stops where the validation loss stops improving (the jobs' early stopping restores the best weights).
        job["earlyStopping"] = {"patience": rng.choice([3, 5]), "restoreBestWeights": rng.random() < 0.5}
        job["epochs"] = int(base_epochs * 1.5)
        cause = "tuned, early stopping"
    elif label == "nan_loss":
        f["explodingInit"] = True
        f["unnormalized"] = True
        job["optimizer"], job["learningRate"] = "sgd", _logu(rng, 0.5, 5)
        cause = "exploding init + unnormalised inputs with SGD at a high rate"
    elif label == "lr_too_high":
        job["optimizer"] = rng.choice(["rmsprop", "sgd"])
        mult = _logu(rng, 20, 60)
        job["learningRate"] = tuned[job["optimizer"]] * mult
        cause = f"{job['optimizer']} rate {mult:.0f}x the tuned one"
    elif label == "oscillation":
        job["batchSize"] = rng.choice([2, 4, 8])
        job["limit"] = 300
        job["optimizer"], job["learningRate"] = "sgd", _logu(rng, 0.4, 1.0)
        job["epochs"] = rng.randint(20, 40)
        cause = f"SGD {job['learningRate']:.3g}, batch {job['batchSize']}"
    elif label == "unshuffled_data":
        f["sortedLabels"] = True
        cause = "training data sorted by label, shuffling off"
    elif label == "lr_too_low":
        div = _logu(rng, 30, 100)
        job["optimizer"] = rng.choice(["sgd", "momentum"])
        job["learningRate"] = tuned[job["optimizer"]] / div
        cause = f"rate {div:.0f}x below the tuned one"
    elif label == "not_converged":
        job["epochs"] = max(3, int(base_epochs * rng.uniform(0.1, 0.25)))
        job["batchSize"] = rng.choice([64, 128])
        cause = f"{job['epochs']} epochs of the ~{base_epochs} needed"
    elif label == "slow_convergence":
        f["deepSigmoid"] = True
        job["optimizer"], job["learningRate"] = "adam", _logu(rng, 1e-2, 3e-2)
        job["epochs"] = int(base_epochs * 3)
        cause = "8 sigmoid hidden layers"
    elif label == "underfitting":
        if rng.random() < 0.5:
            job["hiddenUnits"] = rng.choice([2, 3])
            cause = f"{job['hiddenUnits']} hidden units"
        else:
            job["l2"] = _logu(rng, 0.01, 0.05)
            cause = f"L2 {job['l2']:.2g}"
    elif label == "stuck_at_chance":
        f["dyingRelu"] = True
        cause = "hidden biases -5: dead ReLUs"
    elif label == "overfitting":
        f["tinyTrain"] = rng.choice([10, 20, 30])
        job["hiddenUnits"] = rng.choice([256, 512])
        job["epochs"] = rng.randint(80, 200) if preset != "mnist-mlp" else rng.randint(60, 100)
        cause = f"{f['tinyTrain']} training examples per class, wide layer, {job['epochs']} epochs"
    elif label == "noisy_validation":
        job["limit"] = 600 if preset != "mnist-mlp" else 1200
        job["validationSplit"] = round(rng.uniform(12, 25) / job["limit"], 4)
        cause = f"validation on ~{round(job['validationSplit'] * job['limit'])} examples"
    elif label == "val_better_than_train":
        job["dropout"] = rng.uniform(0.4, 0.6)
        cause = f"dropout {job['dropout']:.2f}"
    elif label == "early_stopping_missing":
        job["l2"] = _logu(rng, 1e-3, 1e-2)
        job["epochs"] = rng.randint(150, 300) if preset not in ("mnist-mlp", "seed-cnn") else 40
        cause = f"L2 {job['l2']:.2g}, {job['epochs']} epochs, no early stopping"
    elif label == "bad_initial_loss":
        f["explodingInit"] = True
        cause = "hidden and output kernels drawn with sigma 3"
    elif label == "label_noise":
        f["labelNoise"] = round(rng.uniform(0.2, 0.5), 2)
        cause = f"{f['labelNoise']:.0%} of the training labels flipped"
    fmt = rng.choice(["history_json", "keras_csv"])
    if label in ("unshuffled_data", "not_converged") or (label in ("lr_too_high",) and rng.random() < 0.6):
        fmt = "keras_csv"  # the step-level batch loss goes in a CSV with a step column
        cadence = "step"
    else:
        cadence = "epoch" if fmt == "history_json" or rng.random() < 0.7 else "step"
    return dict(dataset=dataset, family=family, task="classification", job=job, cause=cause, format=fmt,
                console_style=None, cadence=cadence, log_every=1 if cadence == "step" else None,
                log_file=LOG_FILE[fmt], has_val=not f.get("noValidation", False), optimizer=job["optimizer"],
                lr=job["learningRate"], batch=job["batchSize"], schedule="constant", epochs=job["epochs"])


RECIPES = {
    "healthy": r_healthy, "nan_loss": r_nan_loss, "divergence": r_divergence, "lr_too_high": r_lr_too_high,
    "oscillation": r_oscillation, "loss_spikes": r_loss_spikes, "unshuffled_data": r_unshuffled,
    "lr_too_low": r_lr_too_low, "not_converged": r_not_converged, "slow_convergence": r_slow_convergence,
    "plateau": r_plateau, "underfitting": r_underfitting, "stuck_at_chance": r_stuck,
    "train_loss_rising": r_train_loss_rising, "overfitting": r_overfitting, "generalization_gap": r_gap,
    "noisy_validation": r_noisy_val, "val_better_than_train": r_val_better, "early_stopping_missing": r_es_missing,
    "bad_initial_loss": r_bad_init, "label_noise": r_label_noise,
}


def counts() -> dict:
    """Runs per (framework, label): healthy as budgeted, the rest spread by weight (largest remainder)."""
    out = {}
    for fw in FRAMEWORKS:
        total, healthy = BUDGET[fw]
        w = LABEL_WEIGHTS[fw]
        rest = total - healthy
        s = sum(w.values())
        raw = {k: rest * v / s for k, v in w.items()}
        n = {k: int(math.floor(v)) for k, v in raw.items()}
        left = rest - sum(n.values())
        for k in sorted(raw, key=lambda k: raw[k] - n[k], reverse=True)[:left]:
            n[k] += 1
        out[fw] = {"healthy": healthy, **n}
    return out


_PLAN = None


def plan() -> list:
    """Every run, in a fixed order; seeds 1..N in that order."""
    global _PLAN
    if _PLAN is None:
        runs = []
        seed = 0
        cs = counts()
        for fw in FRAMEWORKS:
            for label in LABELS:
                for _ in range(cs[fw].get(label, 0)):
                    seed += 1
                    runs.append(derive(fw, label, seed))
        _PLAN = runs
    return _PLAN


def by_id() -> dict:
    return {r["id"]: r for r in plan()}


def select(framework=None, label=None, shard=None, limit=None, ids=None, per_label=None) -> list:
    """The runs of one generator process: filters, then a shard i/n (by position), then a limit."""
    runs = [r for r in plan() if (framework is None or r["framework"] == framework)]
    if label:
        labels = set(label.split(","))
        runs = [r for r in runs if r["intended"] in labels]
    if ids:
        want = set(ids)
        runs = [r for r in runs if r["id"] in want]
    if per_label:
        seen = Counter()
        keep = []
        for r in runs:
            if seen[r["intended"]] < per_label:
                seen[r["intended"]] += 1
                keep.append(r)
        runs = keep
    if shard:
        i, n = (int(x) for x in shard.split("/"))
        runs = [r for k, r in enumerate(runs) if k % n == i]
    if limit:
        runs = runs[:limit]
    return runs


def main(argv):
    runs = plan()
    if "--json" in argv:
        for r in runs:
            print(json.dumps(r, sort_keys=True))
        return
    fws = FRAMEWORKS
    table = defaultdict(Counter)
    for r in runs:
        table[r["intended"]][(r["framework"], r["split"])] += 1
    print(f"{len(runs)} runs, {len({r['id'] for r in runs})} ids")
    hdr = "label".ljust(24) + "".join(f"{fw:>14}" for fw in fws) + f"{'total':>8}{'tune':>6}{'test':>6}"
    print(hdr)
    print(" " * 24 + "".join(f"{'tune/test':>14}" for _ in fws))
    for label in LABELS:
        row = label.ljust(24)
        tot = Counter()
        for fw in fws:
            a, b = table[label][(fw, "tune")], table[label][(fw, "test")]
            tot["tune"] += a
            tot["test"] += b
            row += f"{f'{a}/{b}':>14}"
        row += f"{tot['tune'] + tot['test']:>8}{tot['tune']:>6}{tot['test']:>6}"
        print(row)
    fwc = Counter(r["framework"] for r in runs)
    print("frameworks:", {k: f"{v} ({v / len(runs):.1%})" for k, v in fwc.items()})
    print("healthy share:", f"{sum(1 for r in runs if r['intended'] == 'healthy') / len(runs):.1%}")
    print("split:", Counter(r["split"] for r in runs))
    print("datasets:", Counter(r["dataset"] for r in runs))
    print("families:", Counter(r["family"] for r in runs))
    print("formats:", Counter((r["framework"], r["format"]) for r in runs))
    print("cadence:", Counter(r["cadence"] for r in runs))
    print("console styles:", Counter(r["console_style"] for r in runs if r.get("console_style")))


if __name__ == "__main__":
    main(sys.argv[1:])
