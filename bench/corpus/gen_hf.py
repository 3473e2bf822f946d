"""transformers.Trainer runs on tiny randomly initialised BERTs (2 layers, hidden 32, built from a config: nothing
comes from a hub), inputs quantised to tokens; logged as the Trainer's own trainer_state.json or its printed
console. One process trains many runs of the plan.

    python3 bench/corpus/gen_hf.py --out bench/corpus/out [--shard 0/1] [--only-label healthy] [--limit 5]
"""
from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import random
import shutil
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")

_H = {}
BINS = 16


def _hf():
    if not _H:
        import torch
        import transformers
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        transformers.logging.set_verbosity_error()
        warnings.filterwarnings("ignore")
        logging.getLogger("transformers").setLevel(logging.ERROR)
        _H["torch"], _H["tf"] = torch, transformers
    return _H["tf"]


def tokenise(data):
    """Every input value to one of 16 quantile bins (edges from the training set), one token per value, a [CLS]
    token (id 1) first; token id = 2 + bin. Images: pixels; tabular: features; sequences: time steps."""
    def flat(X):
        return X.reshape(len(X), -1)
    tr = flat(data.Xtr)
    qs = np.quantile(tr, np.linspace(0, 1, BINS + 1)[1:-1])
    qs = np.unique(qs)

    def tok(X):
        b = np.digitize(flat(X), qs)
        return np.concatenate([np.ones((len(X), 1), np.int64), 2 + b.astype(np.int64)], 1)
    return tok(data.Xtr), tok(data.Xva), tok(data.Xva_clean), 2 + BINS + 1


def make_dataset(ids, y, regression):
    torch = _H["torch"]

    class DS(torch.utils.data.Dataset):
        def __init__(self):
            self.ids = torch.from_numpy(ids)
            self.y = torch.from_numpy(y.astype(np.float32) if regression else y.astype(np.int64))

        def __len__(self):
            return len(self.y)

        def __getitem__(self, i):
            return {"input_ids": self.ids[i], "labels": self.y[i]}
    return DS()


def build_model(cfg, data, vocab, seq_len):
    tf = _hf()
    torch = _H["torch"]
    arch = cfg.get("arch") or {}
    p = float(arch.get("dropout", 0.0) or 0.0)
    regression = data.task == "regression"
    conf = tf.BertConfig(vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=seq_len + 2,
                         num_labels=1 if regression else data.classes, hidden_dropout_prob=p,
                         attention_probs_dropout_prob=p, problem_type="regression" if regression else
                         "single_label_classification",
                         initializer_range=0.02 * float(cfg.get("faults", {}).get("init_scale", 1.0)))
    torch.manual_seed(cfg["seed"])
    model = tf.BertForSequenceClassification(conf)
    f = cfg.get("faults", {})
    with torch.no_grad():
        if f.get("output_scale"):
            model.classifier.weight.mul_(float(f["output_scale"]))
            model.classifier.bias.mul_(float(f["output_scale"]))
    return model


def hf_optimizer(cfg, model):
    torch = _H["torch"]
    o, lr, wd = cfg["optimizer"], cfg["lr"], cfg.get("weight_decay", 0.0)
    if o in ("adam", "adamw"):
        return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd if o == "adamw" else 0.0)
    if o == "rmsprop":
        return torch.optim.RMSprop(model.parameters(), lr=lr, weight_decay=wd)
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=cfg.get("momentum", 0.0), weight_decay=wd)


def _trainer_class(cfg, data, corrupt, k_classes):
    tf = _hf()
    torch = _H["torch"]
    f = cfg.get("faults", {})

    class RunTrainer(tf.Trainer):
        def _get_train_sampler(self, *a, **kw):
            if f.get("sorted"):
                return torch.utils.data.SequentialSampler(self.train_dataset)
            return super()._get_train_sampler(*a, **kw)

        def compute_loss(self, model, inputs, return_outputs=False, **kw):
            step = self.state.global_step
            if step in corrupt and model.training:
                # A corrupted batch: token ids scrambled and (classification) labels shuffled, or targets x30.
                inputs = dict(inputs)
                g = torch.Generator().manual_seed(cfg["seed"] + step)
                ids = inputs["input_ids"]
                inputs["input_ids"] = torch.randint(2, ids.max().item() + 1, ids.shape, generator=g)
                inputs["input_ids"][:, 0] = 1
                if data.task == "regression":
                    inputs["labels"] = inputs["labels"] * float(f.get("corrupt_scale", 30.0))
                else:
                    inputs["labels"] = (inputs["labels"] + 1 + torch.randint(0, k_classes - 1, inputs["labels"].shape, generator=g)) % k_classes
            if f.get("log_softmax_by_hand") and data.task == "classification":
                labels = inputs["labels"]
                out = model(input_ids=inputs["input_ids"])
                p = torch.softmax(out.logits, -1)
                loss = -(torch.nn.functional.one_hot(labels, k_classes) * torch.log(p)).sum(-1).mean()
                return (loss, out) if return_outputs else loss
            return super().compute_loss(model, inputs, return_outputs=return_outputs, **kw)
    return RunTrainer


def _schedule(cfg, opt, spe):
    torch = _H["torch"]
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda s: C.lr_mult(cfg, s, 0, spe))


def _metrics(task):
    def compute(p):
        preds = p.predictions[0] if isinstance(p.predictions, tuple) else p.predictions
        if task == "regression":
            return {"mae": float(np.abs(preds.reshape(-1) - p.label_ids.reshape(-1)).mean())}
        return {"accuracy": float((preds.argmax(-1) == p.label_ids).mean())}
    return compute


def _run(cfg, data, toks, run_dir, E, scratch, console, log_every, eval_pool=None, pilot=False):
    """One Trainer run; returns (trainer, captured stdout)."""
    tf = _hf()
    torch = _H["torch"]
    Xtr, Xva, Xvc, vocab = toks
    reg = data.task == "regression"
    train = make_dataset(Xtr, data.ytr, reg)
    has_val = cfg.get("has_val", True) and len(data.yva)
    spe = math.ceil(len(data.ytr) / cfg["batch"])
    f = cfg.get("faults", {})
    if pilot:
        ev = make_dataset(Xva if cfg.get("fit_on") == "val" else Xvc, data.yva if cfg.get("fit_on") == "val" else data.yva_clean, reg)
    elif has_val and f.get("val_random_batch"):
        # one random batch of the validation pool, drawn again before every epoch by the callback below
        r0 = np.random.default_rng(cfg["seed"] * 1000)
        idx0 = r0.choice(len(data.yva), min(int(f["val_random_batch"]), len(data.yva)), replace=False)
        ev = make_dataset(Xva[idx0], data.yva[idx0], reg)
    else:
        ev = make_dataset(Xva, data.yva, reg) if has_val else None
    model = build_model(cfg, data, vocab, Xtr.shape[1])
    es = None if pilot else cfg.get("early_stopping")
    step_logging = cfg["cadence"] != "epoch" and not pilot
    args = tf.TrainingArguments(
        output_dir=scratch, num_train_epochs=E, per_device_train_batch_size=cfg["batch"],
        per_device_eval_batch_size=256, learning_rate=cfg["lr"], weight_decay=cfg.get("weight_decay", 0.0),
        logging_strategy="steps" if step_logging else "epoch", logging_steps=log_every if step_logging else 500,
        logging_first_step=step_logging, eval_strategy="epoch" if (has_val or pilot) else "no",
        save_strategy="epoch" if es else "no", save_total_limit=1 if es else None,
        load_best_model_at_end=bool(es), metric_for_best_model="eval_loss" if es else None, greater_is_better=False,
        report_to=[], disable_tqdm=True, use_cpu=True, seed=cfg["seed"], data_seed=cfg["seed"],
        dataloader_num_workers=0, max_grad_norm=1.0 if cfg.get("clip") or cfg.get("hf_clip", True) else 0.0,
        save_only_model=True)
    opt = hf_optimizer(cfg, model)
    corrupt = C.corrupt_steps(cfg, spe * E)
    Trainer = _trainer_class(cfg, data, corrupt, data.classes or 1)
    callbacks = []
    if es:
        callbacks.append(tf.EarlyStoppingCallback(early_stopping_patience=es["patience"]))
    best = {"loss": float("inf"), "epoch": 0}
    trainer_box = {}

    class Watch(tf.TrainerCallback):
        def on_evaluate(self, args, state, control, metrics=None, **kw):
            if pilot and metrics:
                v = metrics.get("eval_loss", float("nan"))
                ep = int(round(state.epoch or 0))
                if v < best["loss"] * (1 - 1e-3):
                    best["loss"], best["epoch"] = v, ep
                if not math.isfinite(v) or ep - best["epoch"] >= cfg.get("_pilot_patience", 6):
                    control.should_training_stop = True

        def on_epoch_begin(self, args, state, control, **kw):
            if has_val and f.get("val_random_batch") and not pilot:
                r = np.random.default_rng(cfg["seed"] * 1000 + int(round(state.epoch or 0)))
                idx = r.choice(len(data.yva), min(int(f["val_random_batch"]), len(data.yva)), replace=False)
                trainer_box["t"].eval_dataset = make_dataset(Xva[idx], data.yva[idx], reg)

        def on_log(self, args, state, control, logs=None, **kw):
            if cfg.get("stop_after_nan") and logs and "loss" in logs and not math.isfinite(float(logs["loss"])):
                control.should_training_stop = True

    callbacks.append(Watch())
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=ev,
                      compute_metrics=_metrics(data.task), callbacks=callbacks,
                      optimizers=(opt, _schedule(cfg, opt, spe)))
    trainer_box["t"] = trainer
    if has_val and f.get("val_random_batch") and not pilot:
        r = np.random.default_rng(cfg["seed"] * 1000)
        idx = r.choice(len(data.yva), min(int(f["val_random_batch"]), len(data.yva)), replace=False)
        trainer.eval_dataset = make_dataset(Xva[idx], data.yva[idx], reg)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        trainer.train()
    if pilot:
        return trainer, best["epoch"] or E
    return trainer, buf.getvalue()


def train_one(cfg, run_dir, out):
    tf = _hf()
    cfg = dict(cfg)
    data = C.load_data(cfg, os.path.join(out, "data"))
    toks = tokenise(data)
    notes = list(data.notes) + ["inputs quantised to 16 bins, one token per value, [CLS] first"]
    spe = math.ceil(len(data.ytr) / cfg["batch"])
    scratch = os.path.join(out, "tmp", f"hf-{cfg['id']}-{os.getpid()}")
    E = cfg["epochs"]
    try:
        if cfg.get("fit_epochs") or cfg.get("undertrain") or cfg.get("slowfit"):
            cfg["sched_epochs"] = E
            cfg["_pilot_patience"] = max(10, int(0.2 * E))  # tiny BERTs sit on a plateau for a while first
            _, best = _run(cfg, data, toks, run_dir, E, scratch, False, 1, pilot=True)
            if cfg.get("undertrain"):
                u = cfg["undertrain"]
                E2 = int(min(u.get("max_epochs", 12), max(u.get("min_epochs", 3), round(best * u["share"]))))
                cfg["needed_epochs"] = best
                cfg["cause"] = f"tuned {cfg['optimizer']} rate, {E2} epochs of the ~{best} needed"
                notes.append(f"stopped after {E2} epochs; the same setup reaches its validation minimum at epoch {best}")
            else:
                r = random.Random(cfg["seed"] * 17 + 3)
                E2 = int(max(5, min(E, best + max(1, round(best * r.uniform(0.05, 0.25))))))
                cfg["planned_epochs"] = E
                notes.append(f"epochs fitted to the task: {E2} (a pilot's validation minimum at epoch {best}, planned at most {E})")
            E = E2
            cfg.pop("_pilot_patience", None)
        cfg["epochs"] = E
        k = int(cfg.get("log_every") or 1)
        trainer, printed = _run(cfg, data, toks, run_dir, E, scratch, cfg["format"] == "console", k)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if cfg["format"] == "trainer_state":
        trainer.state.save_to_json(os.path.join(run_dir, "trainer_state.json"))
        rel = "trainer_state.json"
    else:
        with open(os.path.join(run_dir, "console.txt"), "w") as fh:
            fh.write(printed)
        rel = "console.txt"
    if cfg.get("early_stopping") and trainer.state.epoch is not None and trainer.state.epoch < E - 1e-6:
        notes.append(f"EarlyStoppingCallback stopped at epoch {trainer.state.epoch:g} (best weights reloaded)")
    return {"log": rel, "spe": spe, "cfg": cfg, "task": data.task, "classes": data.classes, "majority": data.majority,
            "train_size": len(data.ytr), "val_size": len(data.yva) if cfg.get("has_val", True) else 0,
            "epochs_run": int(math.ceil(trainer.state.epoch or 0)), "notes": notes}


def main():
    args, runs = C.generator_args("hf")
    _hf()
    C.run_all("hf", runs, args.out, train_one, verbose=not args.quiet)


if __name__ == "__main__":
    main()
