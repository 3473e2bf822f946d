"""Keras 3 (TensorFlow backend) runs: model.fit with Keras' own loggers (CSVLogger, History JSON, TensorBoard, the
captured verbose=1/2 console). One process trains many runs of the plan.

    python3 bench/corpus/gen_keras.py --out bench/corpus/out [--shard 0/2] [--only-label overfitting] [--limit 5]
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

_K = {}


def _keras():
    if not _K:
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        import keras
        _K["tf"], _K["keras"] = tf, keras
        _define_layers(keras)
    return _K["keras"]


def _define_layers(keras):
    from keras import ops

    class PositionEmbedding(keras.layers.Layer):
        """Adds a learned position vector to every token (BERT-style)."""

        def build(self, input_shape):
            self.pos = self.add_weight(shape=(input_shape[1], input_shape[2]),
                                       initializer=keras.initializers.RandomNormal(stddev=0.02), name="pos")

        def call(self, x):
            return x + self.pos

    class FeatureTokens(keras.layers.Layer):
        """One token per tabular feature: value x w_f + b_f."""

        def __init__(self, d, **kw):
            super().__init__(**kw)
            self.d = d

        def build(self, input_shape):
            f = input_shape[1]
            self.w = self.add_weight(shape=(f, self.d), initializer=keras.initializers.RandomNormal(stddev=0.5), name="w")
            self.b = self.add_weight(shape=(f, self.d), initializer=keras.initializers.RandomNormal(stddev=0.1), name="b")

        def call(self, x):
            return ops.expand_dims(x, -1) * self.w + self.b

    _K["PositionEmbedding"], _K["FeatureTokens"] = PositionEmbedding, FeatureTokens


# ---------------------------------------------------------------------------------------------------------------
# Inputs and models
# ---------------------------------------------------------------------------------------------------------------
def keras_inputs(X, cfg, kind):
    """Per family the array layout Keras layers expect (channels-last images, rows as sequences, patches)."""
    fam = cfg["family"]
    if kind == "image":
        img = X[:, 0]  # N, H, W
        if fam == "cnn":
            return img[..., None]
        if fam == "gru":
            return img
        if fam == "transformer":
            if img.shape[-1] == 28:
                n = len(img)
                return img.reshape(n, 4, 7, 4, 7).transpose(0, 1, 3, 2, 4).reshape(n, 16, 49)
            return img
        return img.reshape(len(img), -1)
    return X


def build_keras(cfg, data, shape):
    keras = _keras()
    L = keras.layers
    fam, arch = cfg["family"], dict(cfg.get("arch") or {})
    f = cfg.get("faults", {})
    cls = data.task == "classification"
    out_dim = data.classes if cls else 1
    wd = cfg.get("weight_decay", 0.0) if cfg["optimizer"] != "adamw" else 0.0
    reg = (lambda: keras.regularizers.L2(wd / 2)) if wd else (lambda: None)
    seed = cfg["seed"]

    def kinit(i):
        if f.get("zero_init"):
            return "zeros"
        if f.get("init_std"):
            return keras.initializers.RandomNormal(stddev=float(f["init_std"]), seed=seed + i)
        return keras.initializers.GlorotUniform(seed=seed + i)

    def binit():
        if f.get("zero_init"):
            return "zeros"
        if f.get("dead_bias") is not None:
            return keras.initializers.Constant(float(f["dead_bias"]))
        return "zeros"

    act = arch.get("act", "relu")
    inp = keras.Input(shape)
    x = inp
    if f.get("train_input_noise"):
        x = L.GaussianNoise(float(f["train_input_noise"]), seed=seed)(x)
    n = 0
    if fam == "linear":
        x = L.Flatten()(x) if len(shape) > 1 else x
    elif fam == "mlp":
        x = L.Flatten()(x) if len(shape) > 1 else x
        for _ in range(arch.get("depth", 1)):
            n += 1
            x = L.Dense(arch["hidden"], activation=act, kernel_initializer=kinit(n), bias_initializer=binit(),
                        kernel_regularizer=reg())(x)
            if arch.get("dropout"):
                x = L.Dropout(arch["dropout"], seed=seed + n)(x)
    elif fam == "cnn":
        c1, c2 = arch.get("channels", (8, 16))
        if len(shape) == 3:
            for c in (c1, c2):
                n += 1
                x = L.Conv2D(c, 3, padding="same", activation="relu", kernel_initializer=kinit(n), bias_initializer=binit(),
                             kernel_regularizer=reg())(x)
                x = L.MaxPooling2D(2)(x)
            x = L.Flatten()(x)
        else:
            for i, c in enumerate((c1, c2)):
                n += 1
                x = L.Conv1D(c, 5, padding="same", activation="relu", kernel_initializer=kinit(n), bias_initializer=binit(),
                             kernel_regularizer=reg())(x)
                x = L.MaxPooling1D(2)(x) if i == 0 else x
            x = L.GlobalAveragePooling1D()(x)
        if arch.get("dropout"):
            x = L.Dropout(arch["dropout"], seed=seed)(x)
        if arch.get("bottleneck"):
            n += 1
            x = L.Dense(arch["bottleneck"], activation="relu", kernel_initializer=kinit(n), bias_initializer=binit())(x)
    elif fam == "gru":
        cell = {"gru": L.GRU, "lstm": L.LSTM, "rnn": L.SimpleRNN}[arch.get("cell", "gru")]
        x = cell(arch.get("hidden", 32), kernel_regularizer=reg(), seed=seed)(x)
        if arch.get("dropout"):
            x = L.Dropout(arch["dropout"], seed=seed)(x)
    elif fam == "transformer":
        d = arch.get("d_model", 32)
        if len(shape) == 1:
            x = _K["FeatureTokens"](d)(x)
        else:
            x = L.Dense(d)(x)
        x = _K["PositionEmbedding"]()(x)
        for i in range(arch.get("layers", 1)):
            h = L.MultiHeadAttention(arch.get("heads", 2), d // arch.get("heads", 2), dropout=arch.get("dropout", 0.0),
                                     seed=seed + i)(x, x)
            x = L.LayerNormalization()(x + h)
            h = L.Dense(2 * d, activation="relu")(x)
            if arch.get("dropout"):
                h = L.Dropout(arch["dropout"], seed=seed + i)(h)
            h = L.Dense(d)(h)
            x = L.LayerNormalization()(x + h)
        x = L.GlobalAveragePooling1D()(x)
        x = L.LayerNormalization()(x)
    n += 1
    out = L.Dense(out_dim, activation="softmax" if cls else None, kernel_initializer=kinit(n), name="out")(x)
    model = keras.Model(inp, out)
    if f.get("init_scale"):
        model.set_weights([w * float(f["init_scale"]) for w in model.get_weights()])
    if f.get("output_scale"):
        layer = model.get_layer("out")
        layer.set_weights([w * float(f["output_scale"]) for w in layer.get_weights()])
    return model


def keras_optimizer(cfg):
    keras = _keras()
    o, lr = cfg["optimizer"], cfg["lr"]
    if o == "adam":
        return keras.optimizers.Adam(lr)
    if o == "adamw":
        return keras.optimizers.AdamW(lr, weight_decay=cfg.get("weight_decay", 0.0))
    if o == "rmsprop":
        return keras.optimizers.RMSprop(lr)
    if o == "momentum":
        return keras.optimizers.SGD(lr, momentum=cfg.get("momentum", 0.9))
    return keras.optimizers.SGD(lr)


def keras_loss(cfg, data):
    keras = _keras()
    from keras import ops
    if data.task == "regression":
        return "mse"
    if cfg.get("faults", {}).get("log_softmax_by_hand"):
        k = data.classes

        def crossentropy(y_true, y_pred):  # written out by hand: no clipping, log(0) = -inf
            onehot = ops.one_hot(ops.cast(ops.reshape(y_true, (-1,)), "int32"), k)
            return -ops.sum(onehot * ops.log(y_pred), axis=-1)
        return crossentropy
    return "sparse_categorical_crossentropy"


# ---------------------------------------------------------------------------------------------------------------
# Callbacks
# ---------------------------------------------------------------------------------------------------------------
def callbacks_mod():
    keras = _keras()

    class RateSchedule(keras.callbacks.Callback):
        """The run's schedule (common.lr_mult), applied before every batch."""

        def __init__(self, cfg, spe):
            super().__init__()
            self.cfg, self.spe, self.step, self.last = cfg, spe, 0, None

        def on_train_batch_begin(self, batch, logs=None):
            lr = self.cfg["lr"] * C.lr_mult(self.cfg, self.step, 0, self.spe)
            if lr != self.last:
                self.model.optimizer.learning_rate.assign(lr)
                self.last = lr
            self.step += 1

    class RandomBatchValidation(keras.callbacks.Callback):
        """Validation on one random batch of the validation pool per epoch (the noisy_validation cause)."""

        def __init__(self, Xv, yv, size, seed):
            super().__init__()
            self.Xv, self.yv, self.size, self.rng = Xv, yv, size, np.random.default_rng(seed)

        def on_epoch_end(self, epoch, logs=None):
            idx = self.rng.choice(len(self.yv), min(self.size, len(self.yv)), replace=False)
            r = self.model.evaluate(self.Xv[idx], self.yv[idx], batch_size=len(idx), verbose=0, return_dict=True)
            for k, v in r.items():
                if k != "compile_metrics":
                    logs["val_" + k] = v

    class Pilot(keras.callbacks.Callback):
        """Watches the clean validation loss; stops once it has not improved for `patience` epochs."""

        def __init__(self, Xv, yv, patience):
            super().__init__()
            self.Xv, self.yv, self.patience = Xv, yv, patience
            self.best, self.best_epoch = float("inf"), 0

        def on_epoch_end(self, epoch, logs=None):
            r = self.model.evaluate(self.Xv, verbose=0, return_dict=True)
            v = float(r["loss"])
            if v < self.best * (1 - 1e-3):
                self.best, self.best_epoch = v, epoch + 1
            if not math.isfinite(v) or epoch + 1 - self.best_epoch >= self.patience:
                self.model.stop_training = True

    return RateSchedule, RandomBatchValidation, Pilot


# ---------------------------------------------------------------------------------------------------------------
# One run
# ---------------------------------------------------------------------------------------------------------------
def _fit(cfg, data, arrays, epochs, callbacks, verbose=0, pilot=None):
    keras = _keras()
    Xtr, ytr, Xva, yva = arrays
    keras.utils.set_random_seed(cfg["seed"])
    model = build_keras(cfg, data, Xtr.shape[1:])
    metrics = ["accuracy"] if data.task == "classification" else ["mae"]
    model.compile(optimizer=keras_optimizer(cfg), loss=keras_loss(cfg, data), metrics=metrics, jit_compile=False)
    RateSchedule, RandomBatchValidation, Pilot = callbacks_mod()
    spe = math.ceil(len(ytr) / cfg["batch"])
    cbs = [RateSchedule(cfg, spe)]
    f = cfg.get("faults", {})
    val = None
    if cfg.get("has_val", True) and len(yva):
        if f.get("val_random_batch"):
            cbs.append(RandomBatchValidation(Xva, yva, int(f["val_random_batch"]), cfg["seed"]))
        else:
            val = (Xva, yva)
    if pilot is not None:
        cbs.append(pilot)
    cbs += callbacks
    # tf.data pipelines: half the per-epoch overhead of numpy inputs. Shuffled every epoch (seeded) unless the
    # sorted-data fault turns shuffling off.
    tf = _K["tf"]
    ds = tf.data.Dataset.from_tensor_slices((Xtr, ytr))
    if not f.get("sorted"):
        ds = ds.shuffle(len(ytr), seed=cfg["seed"], reshuffle_each_iteration=True)
    ds = ds.batch(cfg["batch"])
    if val is not None:
        val = tf.data.Dataset.from_tensor_slices(val).batch(512)
    model.fit(ds, epochs=epochs, validation_data=val, callbacks=cbs, verbose=verbose)
    return model


def train_one(cfg, run_dir, out):
    keras = _keras()
    cfg = dict(cfg)
    data = C.load_data(cfg, os.path.join(out, "data"))
    kind = data.kind
    Xtr, Xva = keras_inputs(data.Xtr, cfg, kind), keras_inputs(data.Xva, cfg, kind)
    Xvc = keras_inputs(data.Xva_clean, cfg, kind)
    ytr, yva, yvc = data.ytr, data.yva, data.yva_clean
    arrays = (Xtr, ytr, Xva, yva)
    spe = math.ceil(len(ytr) / cfg["batch"])
    notes = list(data.notes)
    _, _, Pilot = callbacks_mod()
    E = cfg["epochs"]
    if cfg.get("fit_epochs") or cfg.get("undertrain"):
        cfg["sched_epochs"] = E
        pat = max(5, int(0.12 * E)) if cfg.get("fit_epochs") else max(6, int(0.08 * E))
        tf = _K["tf"]
        watch = (Xva, yva) if cfg.get("fit_on") == "val" else (Xvc, yvc)
        p = Pilot(tf.data.Dataset.from_tensor_slices(watch).batch(512), None, pat)
        _fit(cfg, data, arrays, E, [], pilot=p)
        best = p.best_epoch or E
        if cfg.get("fit_epochs"):
            r = random.Random(cfg["seed"] * 17 + 3)
            E2 = int(max(5, min(E, best + max(1, round(best * r.uniform(0.05, 0.25))))))
            notes.append(f"epochs fitted to the task: {E2} (a pilot's clean validation minimum at epoch {best}, planned at most {E})")
            cfg["planned_epochs"] = E
        else:
            u = cfg["undertrain"]
            E2 = int(min(u.get("max_epochs", 12), max(u.get("min_epochs", 3), round(best * u["share"]))))
            notes.append(f"stopped after {E2} epochs; the same setup reaches its validation minimum at epoch {best}")
            cfg["needed_epochs"] = best
            cfg["cause"] = f"tuned {cfg['optimizer']} rate, {E2} epochs of the ~{best} needed"
        E = E2
        cfg["epochs"] = E
    fmt = cfg["format"]
    cbs = []
    es = cfg.get("early_stopping")
    if es:
        monitor = "val_loss" if cfg.get("has_val", True) else "loss"
        cbs.append(keras.callbacks.EarlyStopping(monitor=monitor, patience=es["patience"],
                                                 restore_best_weights=bool(es.get("restore")),
                                                 start_from_epoch=int(es.get("start", 0))))
    if cfg.get("stop_after_nan"):
        cbs.append(keras.callbacks.TerminateOnNaN())
    verbose = 0
    if fmt == "keras_csv":
        cbs.append(keras.callbacks.CSVLogger(os.path.join(run_dir, "training.log")))
        rel = "training.log"
    elif fmt == "tfevents":
        upd = "epoch" if cfg["cadence"] == "epoch" else int(cfg.get("log_every") or 1)
        cbs.append(keras.callbacks.TensorBoard(log_dir=os.path.join(run_dir, "logs"), update_freq=upd,
                                               write_graph=False, profile_batch=0))
        rel = "logs"
    elif fmt == "history_json":
        rel = "history.json"
    elif fmt == "console":
        verbose = 1 if cfg["console_style"] == "keras_v1" else 2
        rel = "console.txt"
    else:
        raise ValueError(f"keras cannot write {fmt}")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model = _fit(cfg, data, arrays, E, cbs, verbose=verbose)
    hist = model.history.history
    if fmt == "history_json":
        with open(os.path.join(run_dir, "history.json"), "w") as fh:
            json.dump({k: [float(v) for v in vals] for k, vals in hist.items()}, fh)
    elif fmt == "console":
        with open(os.path.join(run_dir, "console.txt"), "w") as fh:
            fh.write(buf.getvalue())
    epochs_run = len(next(iter(hist.values()))) if hist else 0
    for cb in cbs:
        if isinstance(cb, keras.callbacks.EarlyStopping) and cb.stopped_epoch:
            notes.append(f"EarlyStopping stopped after epoch {cb.stopped_epoch + 1} (patience {es['patience']})")
    notes.append("epochs in record.json are 1-based counts of completed epochs")
    keras.backend.clear_session()
    return {"log": rel, "spe": spe, "cfg": cfg, "task": data.task, "classes": data.classes, "majority": data.majority,
            "train_size": len(ytr), "val_size": len(yva) if cfg.get("has_val", True) else 0,
            "epochs_run": epochs_run, "notes": notes}


def main():
    args, runs = C.generator_args("keras")
    _keras()
    C.run_all("keras", runs, args.out, train_one, verbose=not args.quiet)


if __name__ == "__main__":
    main()
