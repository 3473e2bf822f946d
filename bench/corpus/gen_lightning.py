"""Lightning runs: a LightningModule around the corpus' torch models, logged by Lightning's own CSVLogger,
TensorBoardLogger or its TQDM progress bar (captured console). One process trains many runs of the plan.

    python3 bench/corpus/gen_lightning.py --out bench/corpus/out [--shard 0/2] [--only-label plateau] [--limit 5]
"""
from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import random
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402
import gen_torch as GT  # noqa: E402

_L = {}


def _lightning():
    if not _L:
        import torch
        import lightning.pytorch as pl
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        for name in ("lightning", "lightning.pytorch", "lightning.fabric", "lightning.pytorch.utilities.rank_zero"):
            logging.getLogger(name).setLevel(logging.ERROR)
        warnings.filterwarnings("ignore")
        _L["torch"], _L["pl"] = torch, pl
        _L["Module"] = _define(pl, torch)
    return _L["pl"]


def _define(pl, torch):
    class RunModule(pl.LightningModule):
        def __init__(self, cfg, data, step_logging):
            super().__init__()
            C.ensure_torch_modules()
            torch.manual_seed(cfg["seed"])
            self.cfg, self.task = cfg, data.task
            self.net = C.torch_model(cfg, data)
            C.apply_init_faults(self.net, cfg)
            self.loss_fn = C.torch_loss(cfg, data)
            self.step_logging = step_logging
            self.spe = math.ceil(len(data.ytr) / cfg["batch"])
            self.corrupt = C.corrupt_steps(cfg, self.spe * cfg["epochs"])
            self.noise = float(cfg.get("faults", {}).get("train_input_noise", 0.0))

        def forward(self, x):
            return self.net(x)

        def training_step(self, batch, batch_idx):
            x, y = batch
            f = self.cfg.get("faults", {})
            if self.global_step in self.corrupt:
                if f.get("corrupt_mode") == "targets" and self.task == "regression":
                    y = y * float(f.get("corrupt_scale", 30.0))
                else:
                    x = x * float(f.get("corrupt_scale", 30.0))
            if self.noise:
                x = x + self.noise * torch.randn_like(x)
            out = self(x)
            loss = self.loss_fn(out, y)
            self.log("train_loss", loss, on_step=self.step_logging, on_epoch=True, prog_bar=True)
            if self.task == "classification":
                self.log("train_acc", (out.argmax(1) == y).float().mean(), on_step=False, on_epoch=True)
            else:
                self.log("train_mae", (out.squeeze(-1) - y).abs().mean(), on_step=False, on_epoch=True)
            return loss

        def validation_step(self, batch, batch_idx):
            x, y = batch
            out = self(x)
            self.log("val_loss", self.loss_fn(out, y), prog_bar=True)
            if self.task == "classification":
                self.log("val_acc", (out.argmax(1) == y).float().mean(), prog_bar=True)
            else:
                self.log("val_mae", (out.squeeze(-1) - y).abs().mean(), prog_bar=True)

        def configure_optimizers(self):
            opt = C.torch_optimizer(self.cfg, self.parameters())
            cfg, spe = self.cfg, self.spe
            if cfg.get("schedule", "constant") == "constant":
                return opt
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: C.lr_mult(cfg, s, 0, spe))
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

        def on_before_optimizer_step(self, optimizer):
            if self.cfg.get("clip"):
                torch.nn.utils.clip_grad_norm_(self.parameters(), self.cfg["clip"])

    return RunModule


def pilot_epochs(cfg, data, notes):
    """fit_epochs / undertrain / slowfit: the epoch count from a plain-PyTorch pilot of the same setup."""
    c = dict(cfg)
    if cfg.get("fit_epochs"):
        H, planned = GT.fit_and_train(c, data, notes)
        cfg["planned_epochs"], cfg["sched_epochs"] = planned, planned
        return len(H.epochs)
    if cfg.get("undertrain"):
        H, needed = GT.undertrain(c, data, notes)
        cfg["needed_epochs"] = needed
        cfg["cause"] = f"tuned {cfg['optimizer']} rate, {len(H.epochs)} epochs of the ~{needed} needed"
        return len(H.epochs)
    if cfg.get("slowfit"):
        H, planned = GT.slowfit(c, data, notes)
        cfg["planned_epochs"], cfg["sched_epochs"] = planned, planned
        return len(H.epochs)
    return cfg["epochs"]


def train_one(cfg, run_dir, out):
    pl = _lightning()
    torch = _L["torch"]
    from lightning.pytorch.callbacks import EarlyStopping, TQDMProgressBar, LearningRateMonitor
    from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
    cfg = dict(cfg)
    data = C.load_data(cfg, os.path.join(out, "data"))
    notes = list(data.notes)
    E = pilot_epochs(cfg, data, notes)
    cfg["epochs"] = E
    rng = random.Random(cfg["seed"] * 13 + 5)
    fmt = cfg["format"]
    step_logging = cfg["cadence"] != "epoch"
    k = int(cfg.get("log_every") or 1) if step_logging else 50
    pl.seed_everything(cfg["seed"], workers=False, verbose=False)
    model = _L["Module"](cfg, data, step_logging)
    f = cfg.get("faults", {})
    g = torch.Generator().manual_seed(cfg["seed"])
    train_ds = torch.utils.data.TensorDataset(torch.from_numpy(data.Xtr), torch.from_numpy(data.ytr))
    train_dl = torch.utils.data.DataLoader(train_ds, batch_size=cfg["batch"], shuffle=not f.get("sorted"), generator=g)
    val_dl = None
    if cfg.get("has_val", True) and len(data.yva):
        val_ds = torch.utils.data.TensorDataset(torch.from_numpy(data.Xva), torch.from_numpy(data.yva))
        if f.get("val_random_batch"):
            size = min(int(f["val_random_batch"]), len(data.yva))
            sampler = torch.utils.data.RandomSampler(val_ds, replacement=False, num_samples=size, generator=g)
            val_dl = torch.utils.data.DataLoader(val_ds, batch_size=size, sampler=sampler)
        else:
            val_dl = torch.utils.data.DataLoader(val_ds, batch_size=512)
    callbacks = []
    es = cfg.get("early_stopping")
    if es:
        callbacks.append(EarlyStopping(monitor="val_loss" if val_dl is not None else "train_loss_epoch" if step_logging else "train_loss",
                                       patience=es["patience"], check_finite=True))
    if cfg.get("stop_after_nan"):
        callbacks.append(EarlyStopping(monitor="train_loss_epoch" if step_logging else "train_loss", patience=10 ** 6,
                                       check_finite=True))
    console = fmt == "console"
    if console:
        callbacks.append(TQDMProgressBar(refresh_rate=k if step_logging else max(1, model.spe)))
        logger = False
        rel = "console.txt"
    elif fmt == "lightning_csv":
        logger = CSVLogger(run_dir, name="", version="")
        rel = "metrics.csv"
    elif fmt == "tfevents":
        logger = TensorBoardLogger(run_dir, name="", version="", default_hp_metric=False)
        rel = None
    else:
        raise ValueError(f"lightning cannot write {fmt}")
    if logger and rng.random() < 0.3 and step_logging:
        callbacks.append(LearningRateMonitor(logging_interval="step"))
    trainer = pl.Trainer(max_epochs=E, min_epochs=int(es.get("start", 0)) if es else None, accelerator="cpu",
                         devices=1, logger=logger, callbacks=callbacks, log_every_n_steps=k,
                         enable_checkpointing=False, enable_model_summary=False, enable_progress_bar=console,
                         num_sanity_val_steps=0, deterministic=False)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        trainer.fit(model, train_dl, val_dl)
    if console:
        with open(os.path.join(run_dir, "console.txt"), "w") as fh:
            fh.write(buf.getvalue())
    if fmt == "tfevents":
        files = sorted(f for f in os.listdir(run_dir) if f.startswith("events.out.tfevents"))
        rel = files[-1]
    for extra in ("hparams.yaml",):
        p = os.path.join(run_dir, extra)
        if os.path.exists(p):
            os.remove(p)
    if es and trainer.current_epoch < E:
        notes.append(f"EarlyStopping stopped after epoch {trainer.current_epoch} (patience {es['patience']})")
    notes.append("epochs in record.json are 1-based counts of completed epochs")
    return {"log": rel, "spe": model.spe, "cfg": cfg, "task": data.task, "classes": data.classes,
            "majority": data.majority, "train_size": len(data.ytr),
            "val_size": len(data.yva) if val_dl is not None else 0, "epochs_run": trainer.current_epoch,
            "notes": notes}


def main():
    args, runs = C.generator_args("lightning")
    _lightning()
    C.run_all("lightning", runs, args.out, train_one, verbose=not args.quiet)


if __name__ == "__main__":
    main()
