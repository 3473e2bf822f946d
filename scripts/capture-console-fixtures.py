#!/usr/bin/env python3
"""
Captures real console outputs of the training libraries installed here (Keras 3, PyTorch, Lightning, transformers,
accelerate, scikit-learn, LightGBM, tqdm, Rich, loguru, pandas, torch.distributed) into test/fixtures/console/, for the
general console reader's tests: progress bars and log lines (callbacks' messages between Keras' bars, nested and
single-line tqdm bars, Rich's and loguru's log formats, Windows' CRLF), and what people paste beside them
(print(history.history) and its pprint, DataFrames of it, the Trainer's log_history, LightGBM's evals_result, torchrun's
rank-tagged lines).

Each style trains a tiny model for a few seconds in a child process. Styles that draw progress bars are captured
through a pseudo-terminal, so the bytes are what a terminal receives (\\r and \\b redraws, ANSI escapes, \\r\\n line
ends); the others through a pipe, as `python train.py > log` or `| tee` would. Beside each output the child saves the
values the library itself recorded (Keras' `history.history`, Lightning's callback metrics, the Trainer's
`log_history`, scikit-learn's `loss_curve_`/`train_score_`, LightGBM's `record_evaluation`, the floats a hand-written
loop printed) in `<name>.truth.json`, with the epochs or steps they belong to where the output places them: the tests
check the reader against those, not against the text.

    python3 scripts/capture-console-fixtures.py            # all styles
    python3 scripts/capture-console-fixtures.py keras_fit_verbose1 lightgbm_log_evaluation
    python3 scripts/capture-console-fixtures.py --manifest # the manifest again from the truth files, nothing run
    CAPTURE_OUT=/tmp/x python3 scripts/capture-console-fixtures.py   # elsewhere, to compare with the committed files

Outputs are deterministic up to timings (seconds, it/s), library warnings and the last bits of float32 sums (CPU
threads add in varying order); re-running rewrites the files and test/fixtures/console/manifest.tsv.
"""
import json
import os
import pty
import select
import struct
import subprocess
import sys
import fcntl
import termios
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# CAPTURE_OUT: write somewhere else (to compare a re-capture with the committed files).
OUT = os.environ.get('CAPTURE_OUT') or os.path.join(ROOT, 'test', 'fixtures', 'console')
SEED = 7


# ---------------------------------------------------------------------------------------------------------------------
# Children: each trains, prints as the library does, and returns the truth to save.
# ---------------------------------------------------------------------------------------------------------------------

def quiet():
    """Library warnings (deprecations, sklearn's convergence warnings) vary between versions: not part of the captures."""
    import warnings
    warnings.filterwarnings('ignore')


def quiet_tf():
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
    os.environ.setdefault('KERAS_BACKEND', 'tensorflow')


def keras_data():
    import numpy as np
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(512, 8)).astype('float32')
    y = (x[:, 0] + 0.5 * x[:, 1] - 0.25 * x[:, 2] + 0.3 * rng.normal(size=512) > 0).astype('float32')
    return x, y


def keras_fit(verbose):
    quiet_tf()
    import keras
    keras.utils.set_random_seed(SEED)
    x, y = keras_data()
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation='relu'), keras.layers.Dense(1, activation='sigmoid')])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss='binary_crossentropy', metrics=['accuracy'])
    h = model.fit(x, y, epochs=4, batch_size=32, validation_split=0.25, verbose=verbose)
    return {'library': f'keras {keras.__version__}', 'epochs': {k: [float(v) for v in vs] for k, vs in h.history.items()}}


def child_keras_fit_verbose1():
    return keras_fit(1)


def child_keras_fit_verbose2():
    return keras_fit(2)


def torch_data(n=256):
    import torch
    g = torch.Generator().manual_seed(SEED)
    x = torch.randn(n, 8, generator=g)
    y = ((x[:, 0] + 0.5 * x[:, 1] - 0.25 * x[:, 2] + 0.3 * torch.randn(n, generator=g)) > 0).long()
    return x, y


def torch_model():
    import torch
    torch.manual_seed(SEED)
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))


def torch_loop(epochs, on_batch=None, on_epoch=None, batch=32):
    """A plain training loop: returns per-epoch (train_loss, val_loss, val_acc) and per-batch losses."""
    import torch
    x, y = torch_data(320)
    xt, yt, xv, yv = x[:256], y[:256], x[256:], y[256:]
    model = torch_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    lossf = torch.nn.CrossEntropyLoss()
    steps = []
    per_epoch = []
    for e in range(1, epochs + 1):
        model.train()
        total = 0.0
        nb = len(xt) // batch
        for b in range(nb):
            xb, yb = xt[b * batch:(b + 1) * batch], yt[b * batch:(b + 1) * batch]
            opt.zero_grad()
            loss = lossf(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item()
            steps.append(loss.item())
            if on_batch:
                on_batch(e, b, nb, loss.item(), b * batch, len(xt))
        model.eval()
        with torch.no_grad():
            out = model(xv)
            vl = lossf(out, yv).item()
            va = (out.argmax(1) == yv).float().mean().item()
        row = (total / nb, vl, va)
        per_epoch.append(row)
        if on_epoch:
            on_epoch(e, epochs, *row)
    return steps, per_epoch


def epoch_rows(rows, names=('train_loss', 'val_loss', 'val_acc')):
    """Per-epoch tuples (train loss, val loss, val acc) as the truth's columns."""
    return {n: [r[k] for r in rows] for k, n in enumerate(names)}


def child_torch_print():
    import torch

    def epoch(e, n, tl, vl, va):
        print(f'Epoch {e}/{n} - train loss: {tl:.4f} - val loss: {vl:.4f} - val acc: {va * 100:.2f}%', flush=True)

    print('Training MLP on 256 samples (cpu)', flush=True)
    _, per = torch_loop(5, on_epoch=epoch)
    return {'library': f'torch {torch.__version__}', 'epochs': epoch_rows(per)}


def child_torch_logging():
    import logging
    import torch
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s', stream=sys.stdout)
    log = logging.getLogger('train')
    log.info('starting: lr=%s batch_size=%d', 0.1, 32)
    steps_seen = []

    def batch(e, b, nb, loss, seen, total):
        if b % 4 == 3:
            steps_seen.append(((e - 1) * nb + b + 1, loss))
            log.info('epoch %d step %d/%d loss=%.5f', e, b + 1, nb, loss)

    def epoch(e, n, tl, vl, va):
        log.info('epoch %d done: train_loss=%.5f val_loss=%.5f val_accuracy=%.4f', e, tl, vl, va)

    _, per = torch_loop(4, on_batch=batch, on_epoch=epoch)
    return {'library': f'torch {torch.__version__}', 'steps': {'loss': [l for _, l in steps_seen]}, 'epochs': epoch_rows(per, ('train_loss', 'val_loss', 'val_accuracy'))}


def child_torch_tqdm_postfix():
    import torch
    import tqdm
    last = []

    bars = {}

    def batch(e, b, nb, loss, seen, total):
        if b == 0:
            bars['bar'] = tqdm.tqdm(total=nb, desc=f'Epoch {e}/4', ncols=100)
        bars['bar'].set_postfix(loss=f'{loss:.4f}')
        bars['bar'].update(1)
        if b == nb - 1:
            last.append(loss)

    def epoch(e, n, tl, vl, va):
        bars['bar'].set_postfix(loss=f'{last[-1]:.4f}', val_loss=f'{vl:.4f}', val_acc=f'{va:.3f}')
        bars['bar'].close()

    _, per = torch_loop(4, on_batch=batch, on_epoch=epoch)
    return {'library': f'torch {torch.__version__}, tqdm {tqdm.__version__}', 'epochs': {'loss': last, 'val_loss': [r[1] for r in per], 'val_acc': [r[2] for r in per]}}


def child_pytorch_mnist_example():
    """The canonical PyTorch MNIST example's prints, on synthetic data."""
    import torch
    seen_losses = []

    def batch(e, b, nb, loss, seen, total):
        if b % 2 == 0:
            seen_losses.append(loss)
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(e, seen, total, 100. * b / nb, loss), flush=True)

    def epoch(e, n, tl, vl, va):
        correct = round(va * 64)
        print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(vl, correct, 64, 100. * correct / 64), flush=True)

    _, per = torch_loop(3, on_batch=batch, on_epoch=epoch)
    return {'library': f'torch {torch.__version__}', 'steps': {'loss': seen_losses}, 'epochs': {'test_loss': [r[1] for r in per], 'test_accuracy': [round(r[2] * 64) / 64 for r in per]}}


def child_table_header():
    import torch
    print(f"{'epoch':>6} {'train_loss':>11} {'val_loss':>9} {'val_acc':>8}", flush=True)

    def epoch(e, n, tl, vl, va):
        print(f'{e:>6d} {tl:>11.4f} {vl:>9.4f} {va:>8.3f}', flush=True)

    _, per = torch_loop(6, on_epoch=epoch)
    return {'library': f'torch {torch.__version__}', 'epochs': epoch_rows(per)}


def child_markdown_table():
    import torch
    print('```', flush=True)
    print('| Epoch | Train Loss | Val Loss | Val Acc |', flush=True)
    print('|------:|-----------:|---------:|--------:|', flush=True)

    def epoch(e, n, tl, vl, va):
        print(f'| {e} | {tl:.4f} | {vl:.4f} | {va:.3f} |', flush=True)

    _, per = torch_loop(5, on_epoch=epoch)
    print('```', flush=True)
    return {'library': f'torch {torch.__version__}', 'epochs': epoch_rows(per)}


def child_jsonl_print():
    import torch
    print('device: cpu, params: 178', flush=True)

    def epoch(e, n, tl, vl, va):
        print(json.dumps({'epoch': e, 'train_loss': round(tl, 6), 'val_loss': round(vl, 6), 'val_acc': round(va, 4)}), flush=True)

    _, per = torch_loop(5, on_epoch=epoch)
    return {'library': f'torch {torch.__version__}', 'epochs': epoch_rows(per)}


def child_rich_table():
    import torch
    from rich.console import Console
    from rich.table import Table
    import rich
    _, per = torch_loop(5)
    t = Table(title='Training summary')
    for c in ('epoch', 'train_loss', 'val_loss', 'val_acc'):
        t.add_column(c, justify='right')
    for e, (tl, vl, va) in enumerate(per, 1):
        t.add_row(str(e), f'{tl:.4f}', f'{vl:.4f}', f'{va:.3f}')
    Console(width=80).print(t)
    from importlib.metadata import version
    return {'library': f"torch {torch.__version__}, rich {version('rich')}", 'epochs': epoch_rows(per)}


def lightning_parts(prog_bar):
    """Lightning, a LightningModule around torch_model and its training and validation loaders (256 and 64 rows of
    torch_data). prog_bar: the metrics go to the progress bar, the training loss per step and per epoch; else the training
    loss per epoch only."""
    quiet()
    import torch
    import lightning as L
    L.seed_everything(SEED, verbose=False)
    x, y = torch_data(320)
    tr = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[:256], y[:256]), batch_size=32)
    va = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[256:], y[256:]), batch_size=32)

    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch_model()

        def training_step(self, batch, i):
            xb, yb = batch
            loss = torch.nn.functional.cross_entropy(self.net(xb), yb)
            self.log('train_loss', loss, prog_bar=prog_bar, on_step=prog_bar, on_epoch=True)
            return loss

        def validation_step(self, batch, i):
            xb, yb = batch
            out = self.net(xb)
            self.log('val_loss', torch.nn.functional.cross_entropy(out, yb), prog_bar=prog_bar)
            self.log('val_acc', (out.argmax(1) == yb).float().mean(), prog_bar=prog_bar)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    return L, Model, tr, va


def lightning_run(bar):
    L, Model, tr, va = lightning_parts(True)
    from lightning.pytorch.callbacks import Callback

    truth = {'train_loss_step': [], 'val_loss': [], 'val_acc': [], 'train_loss_epoch': []}

    class Record(Callback):
        def on_train_epoch_end(self, trainer, module):
            m = trainer.callback_metrics
            truth['train_loss_step'].append(float(trainer.logged_metrics['train_loss_step']))
            truth['train_loss_epoch'].append(float(m['train_loss_epoch']))
            truth['val_loss'].append(float(m['val_loss']))
            truth['val_acc'].append(float(m['val_acc']))

    trainer = L.Trainer(max_epochs=3, logger=False, enable_checkpointing=False, callbacks=[bar, Record()], num_sanity_val_steps=0, accelerator='cpu', devices=1)
    trainer.fit(Model(), tr, va)
    return {'library': f'lightning {L.__version__}', 'epochs': truth}


def child_lightning_tqdm():
    from lightning.pytorch.callbacks import TQDMProgressBar
    return lightning_run(TQDMProgressBar(refresh_rate=1))


def child_lightning_rich():
    from lightning.pytorch.callbacks import RichProgressBar
    return lightning_run(RichProgressBar(refresh_rate=1))


def hf_tiny():
    """transformers, a one-layer BERT classifier of 16 units initialised from SEED, and a dataset class of random token ids
    (the label: whether the first id is above 20)."""
    quiet()
    from tiny_bert import tiny_bert
    return tiny_bert(SEED)


def hf_fit(model, data, train_n, eval_n, remove=(), compute_metrics=None, **args):
    """Trains with the Trainer (3 epochs, batches of 16, lr 5e-3, on the CPU, nothing saved or reported) and returns it;
    `args` override TrainingArguments, `remove` takes callbacks out (the printer, the progress bar)."""
    import tempfile
    from transformers import Trainer, TrainingArguments
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(**{'output_dir': out, 'num_train_epochs': 3, 'per_device_train_batch_size': 16, 'logging_steps': 4, 'eval_strategy': 'epoch',
                                    'save_strategy': 'no', 'report_to': [], 'learning_rate': 5e-3, 'seed': SEED, 'use_cpu': True, **args})
        trainer = Trainer(model=model, args=args, train_dataset=data(train_n), eval_dataset=data(eval_n), compute_metrics=compute_metrics)
        for cb in remove:
            trainer.remove_callback(cb)
        trainer.train()
    return trainer


def hf_trainer(disable_tqdm):
    transformers, model, Data = hf_tiny()
    trainer = hf_fit(model, Data, 160, 48, disable_tqdm=disable_tqdm)
    hist = trainer.state.log_history
    steps = [h for h in hist if 'loss' in h]
    evals = [h for h in hist if 'eval_loss' in h]
    return {
        'library': f'transformers {transformers.__version__}',
        'steps': {'loss': [h['loss'] for h in steps], 'learning_rate': [h['learning_rate'] for h in steps], 'epoch': [h['epoch'] for h in steps]},
        'epochs': {'eval_loss': [h['eval_loss'] for h in evals], 'epoch': [h['epoch'] for h in evals]},
    }


def child_hf_trainer_tqdm():
    return hf_trainer(False)


def child_hf_trainer_no_tqdm():
    return hf_trainer(True)


def sklearn_data():
    from sklearn.datasets import make_classification
    return make_classification(n_samples=400, n_features=10, n_informative=5, random_state=SEED)


def child_sklearn_mlp_verbose():
    quiet()
    import sklearn
    from sklearn.neural_network import MLPClassifier
    x, y = sklearn_data()
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=12, verbose=True, random_state=SEED, early_stopping=True, n_iter_no_change=50)
    clf.fit(x, y)
    return {'library': f'scikit-learn {sklearn.__version__}', 'epochs': {'loss': [float(v) for v in clf.loss_curve_], 'validation_score': [float(v) for v in clf.validation_scores_]}}


def child_sklearn_sgd_verbose():
    quiet()
    import numpy as np
    import sklearn
    from sklearn.linear_model import SGDClassifier
    x, y = sklearn_data()
    clf = SGDClassifier(verbose=1, max_iter=6, tol=None, random_state=SEED)
    clf.fit(x, y)
    # SGD keeps no loss curve: what it does keep is the epoch count and the final weights the last `Norm`/`Bias` print.
    return {'library': f'scikit-learn {sklearn.__version__}', 'final': {'epochs': int(clf.n_iter_), 'norm': float(np.linalg.norm(clf.coef_)), 'bias': float(clf.intercept_[0])}}


def lgb_train(rounds, callbacks, x=None, y=None, params=None, names=('training', 'valid_1')):
    """A small LightGBM booster (binary on the scikit-learn data unless told), evaluated on the first 300 rows and the rest:
    the record_evaluation dict it filled, and the library's version."""
    quiet()
    import lightgbm as lgb
    if x is None:
        x, y = sklearn_data()
    tr = lgb.Dataset(x[:300], y[:300])
    va = lgb.Dataset(x[300:], y[300:], reference=tr)
    rec = {}
    lgb.train({'objective': 'binary', 'metric': ['binary_logloss', 'auc'], 'verbose': -1, 'seed': SEED, 'num_leaves': 7, 'learning_rate': 0.1, **(params or {})},
              tr, num_boost_round=rounds, valid_sets=[tr, va], valid_names=list(names), callbacks=[*callbacks(lgb), lgb.record_evaluation(rec)])
    return rec, f'lightgbm {lgb.__version__}'


def evals_truth(rec):
    return {f'{k}/{m}': [float(v) for v in vs] for k, ms in rec.items() for m, vs in ms.items()}


def child_lightgbm_log_evaluation():
    rec, lib = lgb_train(15, lambda lgb: [lgb.log_evaluation(1)])
    return {'library': lib, 'steps': evals_truth(rec)}


# --- Pastes of whole histories and tables (print(history.history), DataFrames, log_history), rank-tagged output --------

def keras_digits(epochs, lr_column=False):
    """A tiny Keras classifier on scikit-learn's digits: its History (top-3 accuracy too: a name with a digit)."""
    quiet_tf()
    import keras
    from sklearn.datasets import load_digits
    keras.utils.set_random_seed(SEED)
    x, y = load_digits(return_X_y=True)
    x = (x / 16).astype('float32')
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16, activation='relu'), keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss='sparse_categorical_crossentropy',
                  metrics=['accuracy', keras.metrics.SparseTopKCategoricalAccuracy(k=3, name='top3')])
    callbacks = [keras.callbacks.LearningRateScheduler(lambda e, lr: 0.003 if e < epochs // 2 else 0.001)] if lr_column else []
    h = model.fit(x, y, epochs=epochs, batch_size=64, validation_split=0.2, verbose=0, callbacks=callbacks)
    return h, f'keras {keras.__version__}'


def history_truth(h, library):
    return {'library': library, 'epochs': {k: [float(v) for v in vs] for k, vs in h.history.items()}}


def child_keras_history_print():
    h, lib = keras_digits(12)
    print(h.history, flush=True)
    return history_truth(h, lib)


def child_keras_history_pprint():
    import pprint
    h, lib = keras_digits(8)
    pprint.pprint(h.history)
    return history_truth(h, lib)


def child_keras_fit_then_history():
    """Keras 3 fit(verbose=2)'s epoch lines, then print(history.history) at the end of the cell."""
    quiet_tf()
    import keras
    from sklearn.datasets import load_digits
    keras.utils.set_random_seed(SEED)
    x, y = load_digits(return_X_y=True)
    x = (x / 16).astype('float32')
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16, activation='relu'), keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    h = model.fit(x, y, epochs=6, batch_size=64, validation_split=0.2, verbose=2)
    print(h.history, flush=True)
    return history_truth(h, f'keras {keras.__version__}')


def child_pandas_history_print():
    import pandas as pd
    h, lib = keras_digits(20)
    print(pd.DataFrame(h.history), flush=True)
    return history_truth(h, f'{lib}, pandas {pd.__version__}')


def child_pandas_history_long():
    import pandas as pd
    h, lib = keras_digits(80, lr_column=True)
    print(pd.DataFrame(h.history), flush=True)
    return history_truth(h, f'{lib}, pandas {pd.__version__}')


def digits_torch():
    import torch
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    g = torch.Generator().manual_seed(SEED)
    perm = torch.randperm(len(y), generator=g)
    x = torch.tensor(x / 16, dtype=torch.float32)[perm]
    y = torch.tensor(y, dtype=torch.long)[perm]
    return x[:1400], y[:1400], x[1400:], y[1400:]


def digits_net():
    import torch
    torch.manual_seed(SEED)
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))


def digits_train(epochs, lr, on_batch=None, on_epoch=None, first=0, batch=100):
    """SGD on digits_net in batches of `batch`, epochs numbered from `first`: on_batch(e, b, nb, loss, out, target) after
    each step (the loss tensor, with its graph, and the batch's logits and labels), on_epoch(e, out, yv, lossf) after each
    epoch with the validation logits (under no_grad)."""
    import torch
    xt, yt, xv, yv = digits_torch()
    model = digits_net()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    lossf = torch.nn.CrossEntropyLoss()
    nb = len(xt) // batch
    for e in range(first, first + epochs):
        for b in range(nb):
            opt.zero_grad()
            out, target = model(xt[b * batch:(b + 1) * batch]), yt[b * batch:(b + 1) * batch]
            loss = lossf(out, target)
            loss.backward()
            opt.step()
            if on_batch:
                on_batch(e, b, nb, loss, out, target)
        with torch.no_grad():
            out = model(xv)
            if on_epoch:
                on_epoch(e, out, yv, lossf)


def accuracy_of(out, y):
    return (out.argmax(1) == y).float().mean().item()


def child_torch_defaultdict_history():
    """A loop that keeps its history in a defaultdict of NumPy means (NumPy 2 reprs: np.float32(…)), printed at the end."""
    from collections import defaultdict
    import numpy as np
    import torch
    history = defaultdict(list)
    losses = []

    def batch(e, b, nb, loss, *_):
        losses.append(loss.detach().numpy())

    def epoch(e, out, yv, lossf):
        history['train_loss'].append(np.mean(np.array(losses, dtype=np.float32)))
        history['val_loss'].append(lossf(out, yv).numpy()[()])
        history['val_acc'].append(np.float64(accuracy_of(out, yv)))
        losses.clear()

    digits_train(10, 0.2, batch, epoch)
    print(history, flush=True)
    return {'library': f'torch {torch.__version__}, numpy {np.__version__}', 'epochs': {k: [float(v) for v in vs] for k, vs in history.items()}}


def child_torch_topk_print():
    """timm-style lines, printed by a hand-written loop: 'Train: e [n/N (p%)]  Loss: x (avg)' and 'Test: [N/N]  Loss: … Acc@1: … Acc@5: …'."""
    import torch
    truth = {'loss': [], 'test_loss': [], 'acc1': [], 'acc5': []}
    tot = [0.0]

    def batch(e, b, nb, loss, *_):
        if b == 0:
            tot[0] = 0.0
        tot[0] += loss.item()
        if b == nb - 1 or b % 5 == 0:
            print(f'Train: {e} [{b:>4d}/{nb} ({100. * (b + 1) / nb:>3.0f}%)]  Loss: {loss.item():#.3g} ({tot[0] / (b + 1):#.3g})  LR: {0.1:.3e}', flush=True)
        if b == nb - 1:
            truth['loss'].append(loss.item())

    def epoch(e, out, yv, lossf):
        tl = lossf(out, yv).item()
        top5 = out.topk(5, 1).indices
        a1 = (top5[:, 0] == yv).float().mean().item() * 100
        a5 = (top5 == yv[:, None]).any(1).float().mean().item() * 100
        print(f'Test: [   3/3]  Loss: {tl:>7.3f} ({tl:>7.3f})  Acc@1: {a1:>7.3f} ({a1:>7.3f})  Acc@5: {a5:>7.3f} ({a5:>7.3f})', flush=True)
        truth['test_loss'].append(tl)
        truth['acc1'].append(a1 / 100)
        truth['acc5'].append(a5 / 100)

    digits_train(6, 0.1, batch, epoch)
    return {'library': f'torch {torch.__version__}', 'epochs': truth}


def child_hf_log_history_print():
    """print(trainer.state.log_history) after a Trainer run whose own log printing is off: a list of dicts."""
    return hf_log_history(lambda hist: print(hist, flush=True))


def child_hf_log_history_dataframe():
    """print(pd.DataFrame(trainer.state.log_history)): training and evaluation rows, NaN where a row has no value."""
    import pandas as pd

    def show(hist):
        print(pd.DataFrame(hist), flush=True)

    truth = hf_log_history(show)
    truth['library'] += f', pandas {pd.__version__}'
    return truth


def hf_log_history(show):
    from transformers.trainer_callback import PrinterCallback, ProgressCallback
    transformers, model, Data = hf_tiny()
    trainer = hf_fit(model, Data, 160, 48, remove=(PrinterCallback, ProgressCallback), disable_tqdm=True)
    hist = trainer.state.log_history
    show(hist)
    steps = [h for h in hist if 'loss' in h]
    evals = [h for h in hist if 'eval_loss' in h]
    return {
        'library': f'transformers {transformers.__version__}',
        'steps': {'loss': [h['loss'] for h in steps], 'learning_rate': [h['learning_rate'] for h in steps], 'step': [h['step'] for h in steps]},
        'epochs': {'eval_loss': [h['eval_loss'] for h in evals], 'step': [h['step'] for h in evals]},
    }


def child_lightning_callback_metrics():
    """A Lightning callback printing trainer.callback_metrics after every epoch: dicts of tensor(…) values."""
    L, Model, tr, va = lightning_parts(False)
    from lightning.pytorch.callbacks import Callback

    truth = {'train_loss': [], 'val_loss': [], 'val_acc': []}

    class PrintMetrics(Callback):
        def on_train_epoch_end(self, trainer, module):
            m = trainer.callback_metrics
            print(m, flush=True)
            for k in truth:
                truth[k].append(float(m[k]))

    trainer = L.Trainer(max_epochs=5, logger=False, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        callbacks=[PrintMetrics()], num_sanity_val_steps=0, accelerator='cpu', devices=1)
    trainer.fit(Model(), tr, va)
    return {'library': f'lightning {L.__version__}', 'epochs': truth}


def child_lightgbm_record_evaluation_print():
    """print() of the dict lgb.record_evaluation filled: OrderedDicts of np.float64 lists per validation set."""
    rec, lib = lgb_train(12, lambda lgb: [])
    print(rec, flush=True)
    return {'library': lib, 'steps': evals_truth(rec)}


def ddp_worker(truth_dir, tag):
    """One process of a 2-process DistributedDataParallel job (gloo, CPU): each rank prints its own shard's train loss."""
    import torch
    import torch.distributed as dist
    dist.init_process_group('gloo')
    rank = dist.get_rank()
    world = dist.get_world_size()
    xt, yt, xv, yv = digits_torch()
    model = torch.nn.parallel.DistributedDataParallel(digits_net())
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    lossf = torch.nn.CrossEntropyLoss()
    mine = torch.arange(rank, len(xt), world)
    rows = []
    for e in range(6):
        tot, nb = 0.0, 0
        for b in range(0, len(mine), 50):
            idx = mine[b:b + 50]
            opt.zero_grad()
            loss = lossf(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            tot += loss.item()
            nb += 1
        with torch.no_grad():
            out = model(xv)
            vl = lossf(out, yv).item()
            va = (out.argmax(1) == yv).float().mean().item()
        prefix = f'[rank{rank}]: ' if tag else ''
        print(f'{prefix}Epoch {e}: train loss {tot / nb:.4f}, val loss {vl:.4f}, val acc {va:.3f}', flush=True)
        rows.append((tot / nb, vl, va))
        dist.barrier()
    with open(os.path.join(truth_dir, f'rank{rank}.json'), 'w') as f:
        json.dump(rows, f)
    dist.destroy_process_group()


def ddp_truth(truth_dir):
    import torch
    ranks = {}
    for r in (0, 1):
        rows = json.load(open(os.path.join(truth_dir, f'rank{r}.json')))
        ranks[r] = epoch_rows(rows)
    return {'library': f'torch {torch.__version__} (torch.distributed, gloo, 2 processes)', 'epochs': ranks[0], 'rank1': ranks[1]}


def torchrun(launcher_args, tag):
    """Runs ddp_worker in 2 processes under torchrun: the ranks' truth."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, OMP_NUM_THREADS='1')
        subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', *launcher_args,
                        os.path.abspath(__file__), '--ddp-worker', d, tag], env=env, check=True)
        return ddp_truth(d)


def child_torchrun_tee():
    """torchrun --nproc_per_node 2 --tee 3: every line of each worker prefixed with [default<rank>]:."""
    return torchrun(['--tee', '3', '--master_port', '29533'], 'plain')


def child_torch_ddp_rank_prefix():
    """A torch.distributed job (2 processes via torchrun, output not teed) whose script tags its own prints '[rank<r>]: '."""
    return torchrun(['--master_port', '29534'], 'tag')


def child_torch_cr_fstring():
    """A loop that redraws its own status line with print(f'\\r…', end=''), ending each epoch with its validation."""
    import torch
    truth = {'loss': [], 'val_loss': [], 'val_acc': []}
    last = [0.0]

    def batch(e, b, nb, loss, *_):
        last[0] = loss.item()
        print(f'\rEpoch {e}/5 [{b + 1}/{nb}] loss: {loss.item():.4f}', end='', flush=True)

    def epoch(e, out, yv, lossf):
        vl = lossf(out, yv).item()
        va = accuracy_of(out, yv)
        print(f' - val_loss: {vl:.4f} - val_acc: {va:.4f}', flush=True)
        truth['loss'].append(last[0])
        truth['val_loss'].append(vl)
        truth['val_acc'].append(va)

    digits_train(5, 0.2, batch, epoch, first=1)
    return {'library': f'torch {torch.__version__}', 'epochs': truth}


def child_logging_json_payload():
    """logging lines whose message is a JSON object: '2026-… INFO train: {"epoch": 1, "train_loss": …}'."""
    import logging
    import torch
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s', stream=sys.stdout)
    log = logging.getLogger('train')
    log.info('config %s', json.dumps({'lr': 0.1, 'batch_size': 32, 'epochs': 5}))

    def epoch(e, n, tl, vl, va):
        log.info(json.dumps({'epoch': e, 'train_loss': round(tl, 5), 'val_loss': round(vl, 5), 'val_acc': round(va, 4)}))

    _, per = torch_loop(5, on_epoch=epoch)
    return {'library': f'torch {torch.__version__}', 'epochs': epoch_rows(per)}


# --- More styles: callbacks' messages between Keras' lines, several outputs, validation every other epoch, scikit-learn's
# boosting and adaptive SGD, LightGBM's early stopping, hand-written loops printing percents, tensors, units, blocks of
# lines per epoch and CRLF line ends, nested bars, accelerate, loguru, Rich's log handler, Lightning validating twice an
# epoch, the Trainer evaluating every few steps with compute_metrics.

def child_keras_callbacks_interleaved():
    """Keras 3 fit(verbose=1), piped, with ReduceLROnPlateau, EarlyStopping and ModelCheckpoint printing their messages:
    the messages come out before the epoch's last bar state (\\b and \\r redraws, even into a pipe)."""
    quiet_tf()
    import tempfile
    import keras
    keras.utils.set_random_seed(SEED)
    x, y = keras_data()
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation='relu'), keras.layers.Dense(1, activation='sigmoid')])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss='binary_crossentropy', metrics=['accuracy'])
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)
        callbacks = [keras.callbacks.ReduceLROnPlateau(patience=1, factor=0.5, min_delta=0.01, verbose=1),
                     keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True, verbose=1),
                     keras.callbacks.ModelCheckpoint('best.keras', save_best_only=True, verbose=1)]
        h = model.fit(x, y, epochs=12, batch_size=64, validation_split=0.25, verbose=1, callbacks=callbacks)
    return history_truth(h, f'keras {keras.__version__}')


def child_keras_fit_evaluate():
    """Keras 3 fit(verbose=1), piped, then model.evaluate(verbose=1) on held-out rows, the script's 'Test loss: …' prints,
    and model.predict(verbose=1): bars and prints after the last epoch that are not its state."""
    quiet_tf()
    import keras
    keras.utils.set_random_seed(SEED)
    x, y = keras_data()
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation='relu'), keras.layers.Dense(1, activation='sigmoid')])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss='binary_crossentropy', metrics=['accuracy'])
    h = model.fit(x[:400], y[:400], epochs=5, batch_size=64, validation_split=0.25, verbose=1)
    loss, acc = model.evaluate(x[400:], y[400:], verbose=1)
    print('Test loss:', loss)
    print('Test accuracy:', acc)
    model.predict(x[400:], verbose=1)
    truth = history_truth(h, f'keras {keras.__version__}')
    truth['final'] = {'test_loss': float(loss), 'test_accuracy': float(acc)}
    return truth


def child_keras_multi_output():
    """Keras 3 fit(verbose=2) of a model with two named outputs (the digit and its parity): a loss and a metric per output."""
    quiet_tf()
    import keras
    from sklearn.datasets import load_digits
    keras.utils.set_random_seed(SEED)
    x, y = load_digits(return_X_y=True)
    x = (x / 16).astype('float32')
    inp = keras.Input((64,))
    hidden = keras.layers.Dense(24, activation='relu')(inp)
    digit = keras.layers.Dense(10, activation='softmax', name='digit')(hidden)
    parity = keras.layers.Dense(1, activation='sigmoid', name='parity')(hidden)
    model = keras.Model(inp, {'digit': digit, 'parity': parity})
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss={'digit': 'sparse_categorical_crossentropy', 'parity': 'binary_crossentropy'},
                  metrics={'digit': ['accuracy'], 'parity': ['accuracy']})
    h = model.fit(x, {'digit': y, 'parity': (y % 2).astype('float32')}, epochs=6, batch_size=64, validation_split=0.2, verbose=2)
    return history_truth(h, f'keras {keras.__version__}')


def child_keras_validation_freq():
    """Keras 3 fit(verbose=1) through a terminal: a regression (mse loss, mae metric) validated every second epoch."""
    quiet_tf()
    import keras
    import numpy as np
    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(400, 6)).astype('float32')
    y = (x @ np.array([1.5, -2.0, 0.5, 0.0, 1.0, -0.5], dtype='float32') + 0.2 * rng.normal(size=400)).astype('float32')
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation='relu'), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss='mse', metrics=['mae'])
    h = model.fit(x, y, epochs=6, batch_size=50, validation_split=0.25, validation_freq=2, verbose=1)
    truth = history_truth(h, f'keras {keras.__version__}')
    # History keeps the validation of the epochs validated only: 2, 4 and 6.
    truth['epochs']['val_epoch'] = [2, 4, 6]
    return truth


def child_sklearn_hist_gbm_verbose():
    """scikit-learn HistGradientBoostingClassifier(verbose=2) with its own validation split: '[n/N] 1 tree, 7 leaves, max
    depth = 3, train loss: x, val loss: y, in 0.001s' per iteration, between a header and a fit-time summary."""
    quiet()
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier
    x, y = sklearn_data()
    clf = HistGradientBoostingClassifier(max_iter=15, max_leaf_nodes=7, learning_rate=0.2, early_stopping=True, validation_fraction=0.2,
                                         n_iter_no_change=50, scoring='loss', verbose=2, random_state=SEED)
    clf.fit(x, y)
    # train_score_ and validation_score_ hold the negative loss, the first before any tree was grown.
    return {'library': f'scikit-learn {sklearn.__version__}',
            'steps': {'train_loss': [-float(v) for v in clf.train_score_[1:]], 'val_loss': [-float(v) for v in clf.validation_score_[1:]]}}


def child_sklearn_gbm_verbose():
    """scikit-learn GradientBoostingClassifier(verbose=1, subsample=0.8): a table 'Iter  Train Loss  OOB Improve  Remaining
    Time' with a row per iteration up to 10, then every 10th."""
    quiet()
    import sklearn
    from sklearn.ensemble import GradientBoostingClassifier
    x, y = sklearn_data()
    clf = GradientBoostingClassifier(n_estimators=60, max_depth=2, subsample=0.8, verbose=1, random_state=SEED)
    clf.fit(x, y)
    shown = [i for i in range(1, 61) if i <= 10 or i % 10 == 0]
    return {'library': f'scikit-learn {sklearn.__version__}',
            'steps': {'step': shown, 'train_loss': [float(clf.train_score_[i - 1]) for i in shown], 'oob_improve': [float(clf.oob_improvement_[i - 1]) for i in shown]}}


def child_sklearn_mlp_adaptive():
    """scikit-learn MLPClassifier(solver='sgd', learning_rate='adaptive', verbose=True): 'Iteration n, loss = x' with the
    adaptive schedule's 'Training loss did not improve … Setting learning rate to …' lines between."""
    quiet()
    import sklearn
    from sklearn.neural_network import MLPClassifier
    x, y = sklearn_data()
    clf = MLPClassifier(hidden_layer_sizes=(16,), solver='sgd', learning_rate='adaptive', learning_rate_init=0.5, momentum=0.9, max_iter=40,
                        tol=0.01, n_iter_no_change=2, verbose=True, random_state=SEED)
    clf.fit(x, y)
    return {'library': f'scikit-learn {sklearn.__version__}', 'epochs': {'loss': [float(v) for v in clf.loss_curve_]}}


def child_lightgbm_early_stopping():
    """LightGBM regression with two metrics on a training and a validation set, log_evaluation(5) and early_stopping(10):
    'Training until validation scores don't improve for 10 rounds', then the best round printed again at the end."""
    from sklearn.datasets import make_regression
    x, y = make_regression(n_samples=400, n_features=8, noise=20.0, random_state=SEED)
    rec, lib = lgb_train(300, lambda lgb: [lgb.log_evaluation(5), lgb.early_stopping(10, verbose=True)], x, y,
                         params={'objective': 'regression', 'metric': ['l2', 'l1'], 'learning_rate': 0.3}, names=('train', 'valid'))
    rounds = len(rec['valid']['l2'])
    every5 = {k: v[4::5] for k, v in evals_truth(rec).items()}
    best = min(range(rounds), key=lambda i: rec['valid']['l2'][i]) + 1
    return {'library': lib, 'steps': {'step': list(range(5, rounds + 1, 5)), **every5}, 'final': {'rounds': rounds, 'best_round': best}}


def child_torch_step_percent():
    """'Epoch [e/6], Step [s/14], Loss: x, Acc: y%' every 4 steps and at the last, then 'Epoch [e/6] Train Loss: x | Val
    Loss: y | Val Acc: z%': accuracies in percent."""
    import torch
    truth = {'loss': [], 'acc': [], 'step': []}
    per = {'train_loss': [], 'val_loss': [], 'val_acc': []}
    tot = [0.0]

    def batch(e, b, nb, loss, out, target):
        if b == 0:
            tot[0] = 0.0
        tot[0] += loss.item()
        if (b + 1) % 4 == 0 or b == nb - 1:
            acc = accuracy_of(out, target)
            truth['loss'].append(loss.item())
            truth['acc'].append(acc)
            truth['step'].append((e - 1) * nb + b + 1)
            print(f'Epoch [{e}/6], Step [{b + 1}/{nb}], Loss: {loss.item():.4f}, Acc: {100 * acc:.2f}%', flush=True)

    def epoch(e, out, yv, lossf):
        vl, va = lossf(out, yv).item(), accuracy_of(out, yv)
        per['train_loss'].append(tot[0] / 14)
        per['val_loss'].append(vl)
        per['val_acc'].append(va)
        print(f'Epoch [{e}/6] Train Loss: {tot[0] / 14:.4f} | Val Loss: {vl:.4f} | Val Acc: {100 * va:.2f}%', flush=True)

    digits_train(6, 0.1, batch, epoch, first=1)
    return {'library': f'torch {torch.__version__}', 'steps': truth, 'epochs': per}


def child_torch_tensor_repr():
    """A loop printing tensors as they are: 'epoch 1 step 7 loss tensor(0.6931, grad_fn=<NllLossBackward0>)' and
    'epoch 1 val_loss tensor(0.6523) val_acc tensor(0.5625)'."""
    import torch
    truth = {'loss': [], 'step': []}
    per = {'val_loss': [], 'val_acc': []}

    def batch(e, b, nb, loss, *_):
        if b % 7 == 6:
            truth['loss'].append(loss.item())
            truth['step'].append(e * nb + b + 1)
            print('epoch', e, 'step', e * nb + b + 1, 'loss', loss, flush=True)

    def epoch(e, out, yv, lossf):
        vl = lossf(out, yv)
        va = (out.argmax(1) == yv).float().mean()
        per['val_loss'].append(vl.item())
        per['val_acc'].append(va.item())
        print('epoch', e, 'val_loss', vl, 'val_acc', va, flush=True)

    digits_train(5, 0.1, batch, epoch)
    return {'library': f'torch {torch.__version__}', 'steps': truth, 'epochs': per}


def child_torch_epoch_block():
    """A block of lines per epoch: 'Epoch 3/6' then indented 'train | loss 0.4123 | acc 88.21%', 'valid | loss … | acc …%',
    'lr    | 1.00e-01', and a rule."""
    import torch
    per = {'train_loss': [], 'train_acc': [], 'val_loss': [], 'val_acc': [], 'lr': []}
    run = {'tot': 0.0, 'hits': 0.0}

    def batch(e, b, nb, loss, out, target):
        if b == 0:
            run['tot'], run['hits'] = 0.0, 0.0
        run['tot'] += loss.item()
        run['hits'] += accuracy_of(out, target)

    def epoch(e, out, yv, lossf):
        tl, ta = run['tot'] / 14, run['hits'] / 14
        vl, va = lossf(out, yv).item(), accuracy_of(out, yv)
        for k, v in zip(per, (tl, ta, vl, va, 0.1)):
            per[k].append(v)
        print(f'Epoch {e}/6', flush=True)
        print(f'  train | loss {tl:.4f} | acc {100 * ta:.2f}%', flush=True)
        print(f'  valid | loss {vl:.4f} | acc {100 * va:.2f}%', flush=True)
        print(f'  lr    | {0.1:.2e}', flush=True)
        print('-' * 34, flush=True)

    digits_train(6, 0.1, batch, epoch, first=1)
    return {'library': f'torch {torch.__version__}', 'epochs': per}


def child_torch_tqdm_crlf():
    """A tqdm bar per epoch with the loss in its postfix and an epoch summary printed after it, as Windows writes them:
    CRLF line ends (stdout and stderr in text mode translate \\n), \\r redraws, piped."""
    import torch
    import tqdm
    sys.stdout.reconfigure(newline='\r\n')
    sys.stderr.reconfigure(newline='\r\n')
    per = {'train_loss': [], 'val_loss': [], 'val_acc': []}
    bars = {}
    tot = [0.0]

    def batch(e, b, nb, loss, *_):
        if b == 0:
            bars['bar'] = tqdm.tqdm(total=nb, desc=f'Epoch {e}', ncols=90, mininterval=0)
            tot[0] = 0.0
        tot[0] += loss.item()
        bars['bar'].set_postfix(loss=f'{loss.item():.4f}')
        bars['bar'].update(1)

    def epoch(e, out, yv, lossf):
        bars['bar'].close()
        vl, va = lossf(out, yv).item(), accuracy_of(out, yv)
        per['train_loss'].append(tot[0] / 14)
        per['val_loss'].append(vl)
        per['val_acc'].append(va)
        print(f'Epoch {e}: train_loss={tot[0] / 14:.4f}, val_loss={vl:.4f}, val_acc={va:.4f}', flush=True)

    digits_train(4, 0.1, batch, epoch, first=1)
    return {'library': f'torch {torch.__version__}, tqdm {tqdm.__version__}', 'epochs': per}


def child_torch_units():
    """nanoGPT-like step lines with units after the values: 'step 20 | loss 0.4123 | lr 1.00e-01 | 3.52ms/step | 28409
    samples/s', and 'eval @ step 28 | val_loss 0.39 | val_acc 88.1%' at each epoch's end."""
    import time as clock
    import torch
    truth = {'loss': [], 'step': []}
    per = {'val_loss': [], 'val_acc': [], 'step': []}
    t = [clock.perf_counter()]

    def batch(e, b, nb, loss, *_):
        step = e * nb + b + 1
        if step % 4 == 0:
            dt = clock.perf_counter() - t[0]
            t[0] = clock.perf_counter()
            truth['loss'].append(loss.item())
            truth['step'].append(step)
            print(f'step {step:4d} | loss {loss.item():.4f} | lr {0.1:.2e} | {1000 * dt / 4:.2f}ms/step | {400 / dt:.0f} samples/s', flush=True)

    def epoch(e, out, yv, lossf):
        vl, va = lossf(out, yv).item(), accuracy_of(out, yv)
        per['val_loss'].append(vl)
        per['val_acc'].append(va)
        per['step'].append((e + 1) * 14)
        print(f'eval @ step {(e + 1) * 14} | val_loss {vl:.4f} | val_acc {100 * va:.1f}%', flush=True)

    digits_train(4, 0.1, batch, epoch)
    return {'library': f'torch {torch.__version__}', 'steps': truth, 'epochs': per}


def child_torch_tqdm_nested():
    """Nested tqdm bars through a terminal: an outer bar over the epochs whose postfix gets the epoch's train/val loss
    and val accuracy, and an inner bar per epoch (leave=False) with the step loss."""
    import torch
    import tqdm
    per = {'train_loss': [], 'val_loss': [], 'val_acc': []}
    bars = {'outer': tqdm.tqdm(total=5, desc='Training', position=0, ncols=100)}
    tot = [0.0]

    def batch(e, b, nb, loss, *_):
        if b == 0:
            bars['inner'] = tqdm.tqdm(total=nb, desc=f'Epoch {e}', position=1, leave=False, ncols=100)
            tot[0] = 0.0
        tot[0] += loss.item()
        bars['inner'].set_postfix(loss=f'{loss.item():.4f}')
        bars['inner'].update(1)

    def epoch(e, out, yv, lossf):
        bars['inner'].close()
        vl, va = lossf(out, yv).item(), accuracy_of(out, yv)
        per['train_loss'].append(tot[0] / 14)
        per['val_loss'].append(vl)
        per['val_acc'].append(va)
        bars['outer'].set_postfix(train_loss=f'{tot[0] / 14:.4f}', val_loss=f'{vl:.4f}', val_acc=f'{va:.3f}')
        bars['outer'].update(1)

    digits_train(5, 0.1, batch, epoch)
    bars['outer'].close()
    return {'library': f'torch {torch.__version__}, tqdm {tqdm.__version__}', 'epochs': per}


def child_tqdm_epoch_bar():
    """One tqdm bar over the epochs, piped: `for epoch in (bar := trange(8, desc='Training')): …; bar.set_postfix(…)`,
    every state redrawn with \\r on one line, the epoch's train loss, val loss and val accuracy in the postfix."""
    import torch
    import tqdm
    per = {'train_loss': [], 'val_loss': [], 'val_acc': []}
    bar = tqdm.trange(8, desc='Training', ncols=100)
    tot = [0.0]
    epochs = iter(bar)

    def batch(e, b, nb, loss, *_):
        if b == 0:
            tot[0] = 0.0
            next(epochs)
        tot[0] += loss.item()

    def epoch(e, out, yv, lossf):
        vl, va = lossf(out, yv).item(), accuracy_of(out, yv)
        for k, v in zip(per, (tot[0] / 14, vl, va)):
            per[k].append(v)
        bar.set_postfix(train_loss=f'{tot[0] / 14:.4f}', val_loss=f'{vl:.4f}', val_acc=f'{va:.3f}')

    digits_train(8, 0.1, batch, epoch)
    next(epochs, None)
    return {'library': f'torch {torch.__version__}, tqdm {tqdm.__version__}', 'epochs': per}


def child_accelerate_tqdm_write():
    """A loop under accelerate's Accelerator (CPU) as its examples write it, through a terminal: a tqdm bar over the steps,
    tqdm.write of the loss every 5 steps, and accelerator.print(f'epoch {e}:', eval_metric) of a dict after each epoch."""
    quiet()
    import accelerate
    import torch
    import tqdm
    from accelerate import Accelerator
    accelerator = Accelerator(cpu=True)
    xt, yt, xv, yv = digits_torch()
    model = digits_net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xt, yt), batch_size=100)
    model, opt, train = accelerator.prepare(model, opt, train)
    lossf = torch.nn.CrossEntropyLoss()
    truth = {'loss': [], 'step': []}
    per = {'eval_loss': [], 'accuracy': []}
    bar = tqdm.tqdm(range(4 * len(train)), disable=not accelerator.is_local_main_process, ncols=100)
    step = 0
    for e in range(4):
        model.train()
        for xb, yb in train:
            loss = lossf(model(xb), yb)
            accelerator.backward(loss)
            opt.step()
            opt.zero_grad()
            bar.update(1)
            step += 1
            if step % 5 == 0:
                truth['loss'].append(loss.item())
                truth['step'].append(step)
                tqdm.tqdm.write(f'step {step}: loss {loss.item():.4f}')
        model.eval()
        with torch.no_grad():
            out = model(xv)
        metric = {'eval_loss': round(lossf(out, yv).item(), 4), 'accuracy': round(accuracy_of(out, yv), 4)}
        for k in per:
            per[k].append(metric[k])
        accelerator.print(f'epoch {e}:', metric)
    bar.close()
    return {'library': f'accelerate {accelerate.__version__}, torch {torch.__version__}', 'steps': truth, 'epochs': per}


def child_loguru_lines():
    """loguru's default format on stderr, piped: '2025-… | INFO     | __main__:epoch:812 - Epoch 1/5 | train_loss=… |
    val_loss=… | val_acc=…', with DEBUG step lines and a SUCCESS line at the end."""
    import loguru
    import torch
    from loguru import logger
    per = {'train_loss': [], 'val_loss': [], 'val_acc': []}
    truth = {'loss': [], 'step': []}
    tot = [0.0]

    def batch(e, b, nb, loss, *_):
        if b == 0:
            tot[0] = 0.0
        tot[0] += loss.item()
        if b % 5 == 4:
            truth['loss'].append(loss.item())
            truth['step'].append((e - 1) * nb + b + 1)
            logger.debug(f'step {(e - 1) * nb + b + 1}: loss={loss.item():.5f}')

    def epoch(e, out, yv, lossf):
        vl, va = lossf(out, yv).item(), accuracy_of(out, yv)
        for k, v in zip(per, (tot[0] / 14, vl, va)):
            per[k].append(v)
        logger.info(f'Epoch {e}/5 | train_loss={tot[0] / 14:.5f} | val_loss={vl:.5f} | val_acc={va:.4f}')

    logger.info('training digits_net on 1400 samples')
    digits_train(5, 0.1, batch, epoch, first=1)
    logger.success('done')
    from importlib.metadata import version
    return {'library': f"loguru {version('loguru')}, torch {torch.__version__}", 'steps': truth, 'epochs': per}


def child_rich_logging():
    """logging through Rich's RichHandler on a terminal: '[12/07/25] INFO     Epoch 1: train_loss=… val_loss=…
    train.py:123', the time column (here the date, log_time_format='[%x]') shown only when it changes and blank below,
    the source location right-aligned, long messages wrapped."""
    import logging
    import torch
    from rich.logging import RichHandler
    from importlib.metadata import version
    logging.basicConfig(level=logging.INFO, format='%(message)s', handlers=[RichHandler(log_time_format='[%x]')])
    log = logging.getLogger('train')
    per = {'train_loss': [], 'val_loss': [], 'val_acc': []}
    tot = [0.0]

    def batch(e, b, nb, loss, *_):
        if b == 0:
            tot[0] = 0.0
        tot[0] += loss.item()

    def epoch(e, out, yv, lossf):
        vl, va = lossf(out, yv).item(), accuracy_of(out, yv)
        for k, v in zip(per, (tot[0] / 14, vl, va)):
            per[k].append(v)
        log.info('Epoch %d: train_loss=%.4f val_loss=%.4f val_acc=%.4f', e, tot[0] / 14, vl, va)

    # (The first epoch's line is the first logged: it alone shows the date.)
    digits_train(6, 0.1, batch, epoch, first=1)
    return {'library': f"rich {version('rich')}, torch {torch.__version__}", 'epochs': per}


def child_lightning_val_interval():
    """Lightning's tqdm bar piped (as under nohup), validating twice an epoch (val_check_interval=0.5), with
    EarlyStopping(verbose=True) reporting each improvement."""
    L, Model, tr, va = lightning_parts(True)
    from lightning.pytorch.callbacks import Callback, EarlyStopping, TQDMProgressBar
    truth = {'val_loss': [], 'val_acc': [], 'step': []}

    class Record(Callback):
        def on_validation_epoch_end(self, trainer, module):
            if trainer.sanity_checking:
                return
            m = trainer.callback_metrics
            truth['val_loss'].append(float(m['val_loss']))
            truth['val_acc'].append(float(m['val_acc']))
            truth['step'].append(trainer.global_step)

    trainer = L.Trainer(max_epochs=3, logger=False, enable_checkpointing=False, val_check_interval=0.5, num_sanity_val_steps=0, accelerator='cpu', devices=1,
                        callbacks=[TQDMProgressBar(refresh_rate=1), EarlyStopping('val_loss', patience=5, verbose=True), Record()])
    trainer.fit(Model(), tr, va)
    return {'library': f'lightning {L.__version__}', 'steps': truth}


def child_hf_trainer_eval_steps():
    """transformers Trainer through a terminal, evaluating every 5 steps with compute_metrics (eval_accuracy), logging
    every 5 steps: the training and evaluation dicts between the bar's redraws."""
    import numpy as np
    transformers, model, Data = hf_tiny()

    def accuracy(p):
        return {'accuracy': float((np.argmax(p.predictions, -1) == p.label_ids).mean())}

    trainer = hf_fit(model, Data, 160, 48, compute_metrics=accuracy, num_train_epochs=2, logging_steps=5, eval_strategy='steps', eval_steps=5)
    hist = trainer.state.log_history
    steps = [h for h in hist if 'loss' in h]
    evals = [h for h in hist if 'eval_loss' in h]
    return {
        'library': f'transformers {transformers.__version__}',
        'steps': {'loss': [h['loss'] for h in steps], 'learning_rate': [h['learning_rate'] for h in steps], 'epoch': [h['epoch'] for h in steps],
                  'eval_loss': [h['eval_loss'] for h in evals], 'eval_accuracy': [h['eval_accuracy'] for h in evals], 'eval_epoch': [h['epoch'] for h in evals]},
    }


NEW_STYLES = {
    'keras_callbacks_interleaved': (child_keras_callbacks_interleaved, False, "Keras 3 fit(verbose=1), piped, with ReduceLROnPlateau, EarlyStopping and ModelCheckpoint messages printed before each epoch's last bar state"),
    'keras_fit_evaluate': (child_keras_fit_evaluate, False, "Keras 3 fit(verbose=1), piped, then evaluate(verbose=1), 'Test loss: …'/'Test accuracy: …' prints and predict(verbose=1)"),
    'keras_multi_output': (child_keras_multi_output, False, 'Keras 3 fit(verbose=2) of a model with two named outputs: a loss and an accuracy per output, and their validation twins'),
    'keras_validation_freq': (child_keras_validation_freq, True, 'Keras 3 fit(verbose=1) through a terminal: a regression (mse, mae) validated every second epoch (validation_freq=2)'),
    'sklearn_hist_gbm_verbose': (child_sklearn_hist_gbm_verbose, False, "scikit-learn HistGradientBoostingClassifier(verbose=2): '[n/N] 1 tree, 7 leaves, max depth = 3, train loss: x, val loss: y, in 0.001s'"),
    'sklearn_gbm_verbose': (child_sklearn_gbm_verbose, False, "scikit-learn GradientBoostingClassifier(verbose=1, subsample=0.8): an 'Iter  Train Loss  OOB Improve  Remaining Time' table, every iteration to 10, then every 10th"),
    'sklearn_mlp_adaptive': (child_sklearn_mlp_adaptive, False, "scikit-learn MLPClassifier(solver='sgd', learning_rate='adaptive', verbose=True): 'Iteration n, loss = x' with 'Setting learning rate to …' lines"),
    'lightgbm_early_stopping': (child_lightgbm_early_stopping, False, "LightGBM regression, log_evaluation(5) and early_stopping(10): 'train's l2/l1' and 'valid's l2/l1', and the best round printed again after 'Early stopping, best iteration is:'"),
    'torch_step_percent': (child_torch_step_percent, False, "'Epoch [e/6], Step [s/14], Loss: x, Acc: y%' and 'Epoch [e/6] Train Loss: x | Val Loss: y | Val Acc: z%' from a hand-written loop"),
    'torch_tensor_repr': (child_torch_tensor_repr, False, "print() of tensors as they are: 'epoch 1 step 7 loss tensor(0.6931, grad_fn=<NllLossBackward0>)', 'val_loss tensor(0.6523) val_acc tensor(0.5625)'"),
    'torch_epoch_block': (child_torch_epoch_block, False, "a block of lines per epoch: 'Epoch 3/6', '  train | loss x | acc y%', '  valid | loss x | acc y%', '  lr    | 1.00e-01', a rule"),
    'torch_tqdm_crlf': (child_torch_tqdm_crlf, False, 'a tqdm bar per epoch and a summary line, with CRLF line ends as Windows writes them (\\r redraws, piped)'),
    'torch_units': (child_torch_units, False, "step lines with units after the values: 'step 20 | loss x | lr 1.00e-01 | 3.52ms/step | 28409 samples/s', and 'eval @ step 28 | val_loss x | val_acc y%'"),
    'torch_tqdm_nested': (child_torch_tqdm_nested, True, "nested tqdm bars through a terminal: an epoch bar with train_loss/val_loss/val_acc in its postfix over a step bar (leave=False)"),
    'tqdm_epoch_bar': (child_tqdm_epoch_bar, False, "one tqdm bar over the epochs, piped: for epoch in trange(8): …; bar.set_postfix(train_loss=…, val_loss=…, val_acc=…), every state redrawn with \\r on one line"),
    'accelerate_tqdm_write': (child_accelerate_tqdm_write, True, "accelerate's Accelerator on the CPU through a terminal: a tqdm bar, tqdm.write('step n: loss x'), accelerator.print(f'epoch {e}:', {'eval_loss': …, 'accuracy': …})"),
    'loguru_lines': (child_loguru_lines, False, "loguru's default format, piped: '2025-… | INFO     | __main__:epoch:812 - Epoch 1/5 | train_loss=x | val_loss=y | val_acc=z' and DEBUG step lines"),
    'rich_logging': (child_rich_logging, True, "logging through Rich's RichHandler on a terminal: '[12/07/25] INFO     Epoch 1: train_loss=x …  train.py:123', the time shown only when it changes, messages wrapped"),
    'lightning_val_interval': (child_lightning_val_interval, False, "Lightning's tqdm bar, piped, validating twice an epoch (val_check_interval=0.5), with EarlyStopping(verbose=True) messages"),
    'hf_trainer_eval_steps': (child_hf_trainer_eval_steps, True, 'transformers Trainer through a terminal, evaluating every 5 steps with compute_metrics (eval_accuracy): dicts between bar redraws'),
}


STYLES = {
    # name: (child, via a pseudo-terminal, what it shows)
    'keras_fit_verbose1': (child_keras_fit_verbose1, True, 'Keras 3 fit(verbose=1): progress bars redrawn with \\r/\\b as a terminal receives them'),
    'keras_fit_verbose2': (child_keras_fit_verbose2, False, 'Keras 3 fit(verbose=2): one line per epoch, piped'),
    'lightning_tqdm': (child_lightning_tqdm, True, 'Lightning Trainer with its tqdm progress bar (train_loss, val_loss, val_acc in the postfix)'),
    'lightning_rich': (child_lightning_rich, True, 'Lightning Trainer with its Rich progress bar'),
    'hf_trainer_tqdm': (child_hf_trainer_tqdm, True, 'transformers Trainer: tqdm bar with the log dicts printed between redraws'),
    'hf_trainer_no_tqdm': (child_hf_trainer_no_tqdm, False, 'transformers Trainer with disable_tqdm: the log dicts alone, piped'),
    'sklearn_mlp_verbose': (child_sklearn_mlp_verbose, False, "scikit-learn MLPClassifier(verbose=True, early_stopping=True): 'Iteration n, loss = x' and 'Validation score: y'"),
    'sklearn_sgd_verbose': (child_sklearn_sgd_verbose, False, "scikit-learn SGDClassifier(verbose=1): '-- Epoch n' blocks with Norm, NNZs, Bias, T, Avg. loss"),
    'lightgbm_log_evaluation': (child_lightgbm_log_evaluation, False, "LightGBM log_evaluation(1): '[n]\\ttraining's binary_logloss: x\\tvalid_1's auc: y'"),
    'torch_print': (child_torch_print, False, "hand-written PyTorch loop with print: 'Epoch 3/5 - train loss: x - val loss: y - val acc: z%'"),
    'torch_logging': (child_torch_logging, False, "hand-written PyTorch loop with logging (timestamps, levels, logger name): step and epoch lines"),
    'torch_tqdm_postfix': (child_torch_tqdm_postfix, True, 'hand-written PyTorch loop with a tqdm bar per epoch and loss/val_loss/val_acc in its postfix'),
    'pytorch_mnist_example': (child_pytorch_mnist_example, False, "the PyTorch MNIST example's prints: 'Train Epoch: 1 [0/60000 (0%)]\\tLoss: x' and 'Test set: Average loss: …, Accuracy: n/N (p%)'"),
    'table_header': (child_table_header, False, 'a header row, then one right-aligned row per epoch'),
    'markdown_table': (child_markdown_table, False, 'a markdown table in a code fence, as pasted in chat'),
    'jsonl_print': (child_jsonl_print, False, 'json.dumps of one record per epoch after a banner line'),
    'rich_table': (child_rich_table, False, 'a Rich table of the epochs printed at the end'),
    'keras_history_print': (child_keras_history_print, False, 'print(history.history) after Keras 3 fit(verbose=0): a Python dict of per-epoch lists on one line'),
    'keras_history_pprint': (child_keras_history_pprint, False, 'pprint.pprint(history.history): the dict wrapped over several lines'),
    'pandas_history_print': (child_pandas_history_print, False, 'print(pd.DataFrame(history.history)): a header-aligned table with the index column'),
    'pandas_history_long': (child_pandas_history_long, False, "print(pd.DataFrame(history.history)) of 80 epochs and 7 columns: pandas shows the first and last five rows around a '..' row and adds a '[80 rows x 7 columns]' footer"),
    'torch_defaultdict_history': (child_torch_defaultdict_history, False, 'print(history) of a defaultdict(list) of NumPy means: defaultdict(<class \'list\'>, {…: [np.float32(…), …]})'),
    'torch_topk_print': (child_torch_topk_print, False, "timm-style lines from a hand-written loop: 'Train: e [n/N (p%)]  Loss: x (avg)' and 'Test: [N/N]  Loss: … Acc@1: … (…)  Acc@5: … (…)'"),
    'hf_log_history_dataframe': (child_hf_log_history_dataframe, False, 'print(pd.DataFrame(trainer.state.log_history)): rows of training and evaluation logs, NaN where a row has no value, columns pandas elides'),
    'keras_fit_then_history': (child_keras_fit_then_history, False, 'Keras 3 fit(verbose=2) epoch lines, then print(history.history)'),
    'hf_log_history_print': (child_hf_log_history_print, False, 'print(trainer.state.log_history) of a transformers Trainer run: a list of dicts on one line'),
    'lightning_callback_metrics': (child_lightning_callback_metrics, False, 'a Lightning callback printing trainer.callback_metrics after each epoch: dicts of tensor(…) values, beside the Trainer\'s own info lines'),
    'lightgbm_record_evaluation_print': (child_lightgbm_record_evaluation_print, False, "print() of lgb.record_evaluation's dict: {'training': OrderedDict([('binary_logloss', [np.float64(…), …]), …]), 'valid_1': …}"),
    'torchrun_tee': (child_torchrun_tee, False, 'torchrun --nproc_per_node 2 --tee 3 (gloo, CPU): each worker line prefixed [default<rank>]:, two ranks with their own train loss'),
    'torch_ddp_rank_prefix': (child_torch_ddp_rank_prefix, False, "a 2-process torch.distributed job whose script tags its prints '[rank<r>]: Epoch e: train loss x, val loss y, val acc z'"),
    'torch_cr_fstring': (child_torch_cr_fstring, False, "a loop redrawing its status with print(f'\\r…', end=''), piped: \\r-separated states, the epoch's validation appended to the last"),
    'logging_json_payload': (child_logging_json_payload, False, 'logging lines whose message is a JSON object after the asctime/level/logger prefix'),
}
STYLES.update(NEW_STYLES)


# ---------------------------------------------------------------------------------------------------------------------
# Parent: run each child, through a pty or a pipe, and save what came out.
# ---------------------------------------------------------------------------------------------------------------------

def run_child(name, tty, truth_path):
    cmd = [sys.executable, os.path.abspath(__file__), '--child', name, truth_path]
    env = dict(os.environ, PYTHONHASHSEED='0', COLUMNS='100', LINES='30', TF_CPP_MIN_LOG_LEVEL='3', TOKENIZERS_PARALLELISM='false', PYTHONWARNINGS='ignore')
    if not tty:
        env.pop('FORCE_COLOR', None)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=600)
        return p.stdout
    env['TERM'] = 'xterm-256color'
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 100, 0, 0))
    p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.time() + 600
    while True:
        r, _, _ = select.select([master], [], [], 1.0)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif p.poll() is not None:
            break
        if time.time() > deadline:
            p.kill()
            break
    p.wait()
    os.close(master)
    return b''.join(chunks)


def main(argv):
    if len(argv) >= 3 and argv[0] == '--ddp-worker':
        ddp_worker(argv[1], argv[2] == 'tag')
        return
    if len(argv) >= 3 and argv[0] == '--child':
        truth = STYLES[argv[1]][0]()
        with open(argv[2], 'w') as f:
            json.dump(truth, f, indent=1)
        return
    if argv == ['--manifest']:
        # The manifest again from the truth files already captured (no child runs).
        rows = {f'{name}.log': manifest_row(name, json.load(open(os.path.join(OUT, f'{name}.truth.json'))))
                for name in STYLES if os.path.exists(os.path.join(OUT, f'{name}.truth.json'))}
        write_manifest(rows)
        return
    names = argv or list(STYLES)
    os.makedirs(OUT, exist_ok=True)
    rows = {}
    if os.path.exists(manifest_path()):
        for line in open(manifest_path()).read().splitlines()[1:]:
            rows[line.split('\t')[0]] = line
    for name in names:
        log_path = os.path.join(OUT, f'{name}.log')
        truth_path = os.path.join(OUT, f'{name}.truth.json')
        t0 = time.time()
        out = run_child(name, STYLES[name][1], truth_path)
        with open(log_path, 'wb') as f:
            f.write(out)
        rows[f'{name}.log'] = manifest_row(name, json.load(open(truth_path)))
        print(f'{name}: {len(out)} bytes in {time.time() - t0:.1f}s', file=sys.stderr)
    write_manifest(rows)


def manifest_path():
    return os.path.join(OUT, 'manifest.tsv')


def manifest_row(name, truth):
    """A style's manifest row: file, library and version, style, how captured, the series its truth file holds."""
    _, tty, what = STYLES[name]
    # Positions (epoch, step, val_epoch …) place the values: they are not series.
    series = [f"{k}×{len(v)} ({scope})" for scope in ('epochs', 'steps') for k, v in truth.get(scope, {}).items()
              if k not in ('epoch', 'step', 'val_epoch', 'eval_epoch')]
    series += [f'final {k}={v}' for k, v in truth.get('final', {}).items()]
    how = f"{'pseudo-terminal (100×30)' if tty else 'pipe (stdout+stderr)'}: python3 scripts/capture-console-fixtures.py {name}"
    return '\t'.join([f'{name}.log', truth['library'], what, how, ', '.join(series)])


def write_manifest(rows):
    with open(manifest_path(), 'w') as f:
        f.write('file\tlibrary and version\tstyle\thow captured\texpected series (from the truth file)\n')
        for k in sorted(rows):
            f.write(rows[k] + '\n')

if __name__ == '__main__':
    main(sys.argv[1:])
