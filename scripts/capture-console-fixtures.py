#!/usr/bin/env python3
"""
Captures real console outputs of the training libraries installed here (Keras 3, PyTorch, Lightning, transformers,
scikit-learn, LightGBM, tqdm, Rich, pandas, torch.distributed) into test/fixtures/console/, for the general console
reader's tests: progress bars and log lines, and what people paste beside them (print(history.history) and its
pprint, DataFrames of it, the Trainer's log_history, LightGBM's evals_result, torchrun's rank-tagged lines).

Each style trains a tiny model for a few seconds in a child process. Styles that draw progress bars are captured
through a pseudo-terminal, so the bytes are what a terminal receives (\\r and \\b redraws, ANSI escapes, \\r\\n line
ends); the others through a pipe, as `python train.py > log` or `| tee` would. Beside each output the child saves the
values the library itself recorded (Keras' `history.history`, Lightning's callback metrics, the Trainer's
`log_history`, scikit-learn's `loss_curve_`, LightGBM's `record_evaluation`, the floats a hand-written loop printed) in
`<name>.truth.json`: the tests check the reader against those, not against the text.

    python3 scripts/capture-console-fixtures.py            # all styles
    python3 scripts/capture-console-fixtures.py keras_fit_verbose1 lightgbm_log_evaluation

Outputs are deterministic up to timings (seconds, it/s) and library warnings; re-running rewrites the files and
test/fixtures/console/manifest.tsv.
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
OUT = os.path.join(ROOT, 'test', 'fixtures', 'console')
SEED = 7


# ---------------------------------------------------------------------------------------------------------------------
# Children: each trains, prints as the library does, and returns the truth to save.
# ---------------------------------------------------------------------------------------------------------------------

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


def child_torch_print():
    import torch

    def epoch(e, n, tl, vl, va):
        print(f'Epoch {e}/{n} - train loss: {tl:.4f} - val loss: {vl:.4f} - val acc: {va * 100:.2f}%', flush=True)

    print('Training MLP on 256 samples (cpu)', flush=True)
    _, per = torch_loop(5, on_epoch=epoch)
    return {'library': f'torch {torch.__version__}', 'epochs': {'train_loss': [r[0] for r in per], 'val_loss': [r[1] for r in per], 'val_acc': [r[2] for r in per]}}


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
    return {'library': f'torch {torch.__version__}', 'steps': {'loss': [l for _, l in steps_seen]}, 'epochs': {'train_loss': [r[0] for r in per], 'val_loss': [r[1] for r in per], 'val_accuracy': [r[2] for r in per]}}


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
    return {'library': f'torch {torch.__version__}', 'epochs': {'train_loss': [r[0] for r in per], 'val_loss': [r[1] for r in per], 'val_acc': [r[2] for r in per]}}


def child_markdown_table():
    import torch
    print('```', flush=True)
    print('| Epoch | Train Loss | Val Loss | Val Acc |', flush=True)
    print('|------:|-----------:|---------:|--------:|', flush=True)

    def epoch(e, n, tl, vl, va):
        print(f'| {e} | {tl:.4f} | {vl:.4f} | {va:.3f} |', flush=True)

    _, per = torch_loop(5, on_epoch=epoch)
    print('```', flush=True)
    return {'library': f'torch {torch.__version__}', 'epochs': {'train_loss': [r[0] for r in per], 'val_loss': [r[1] for r in per], 'val_acc': [r[2] for r in per]}}


def child_jsonl_print():
    import torch
    print('device: cpu, params: 178', flush=True)

    def epoch(e, n, tl, vl, va):
        print(json.dumps({'epoch': e, 'train_loss': round(tl, 6), 'val_loss': round(vl, 6), 'val_acc': round(va, 4)}), flush=True)

    _, per = torch_loop(5, on_epoch=epoch)
    return {'library': f'torch {torch.__version__}', 'epochs': {'train_loss': [r[0] for r in per], 'val_loss': [r[1] for r in per], 'val_acc': [r[2] for r in per]}}


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
    return {'library': f"torch {torch.__version__}, rich {version('rich')}", 'epochs': {'train_loss': [r[0] for r in per], 'val_loss': [r[1] for r in per], 'val_acc': [r[2] for r in per]}}


def lightning_run(bar):
    import warnings
    warnings.filterwarnings('ignore')
    import torch
    import lightning as L
    from lightning.pytorch.callbacks import Callback
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
            self.log('train_loss', loss, prog_bar=True, on_step=True, on_epoch=True)
            return loss

        def validation_step(self, batch, i):
            xb, yb = batch
            out = self.net(xb)
            self.log('val_loss', torch.nn.functional.cross_entropy(out, yb), prog_bar=True)
            self.log('val_acc', (out.argmax(1) == yb).float().mean(), prog_bar=True)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

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


def hf_trainer(disable_tqdm):
    import warnings
    warnings.filterwarnings('ignore')
    import tempfile
    import torch
    import transformers
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
    transformers.logging.set_verbosity_error()
    torch.manual_seed(SEED)
    g = torch.Generator().manual_seed(SEED)

    class Data(torch.utils.data.Dataset):
        def __init__(self, n):
            self.ids = torch.randint(3, 40, (n, 12), generator=g)
            self.labels = (self.ids[:, 0] > 20).long()

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            return {'input_ids': self.ids[i], 'attention_mask': torch.ones(12, dtype=torch.long), 'labels': self.labels[i]}

    cfg = BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, max_position_embeddings=16, num_labels=2)
    model = BertForSequenceClassification(cfg)
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, num_train_epochs=3, per_device_train_batch_size=16, logging_steps=4, eval_strategy='epoch',
                                 save_strategy='no', report_to=[], disable_tqdm=disable_tqdm, learning_rate=5e-3, seed=SEED, use_cpu=True)
        trainer = Trainer(model=model, args=args, train_dataset=Data(160), eval_dataset=Data(48))
        trainer.train()
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
    import warnings
    warnings.filterwarnings('ignore')
    import sklearn
    from sklearn.neural_network import MLPClassifier
    x, y = sklearn_data()
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=12, verbose=True, random_state=SEED, early_stopping=True, n_iter_no_change=50)
    clf.fit(x, y)
    return {'library': f'scikit-learn {sklearn.__version__}', 'epochs': {'loss': [float(v) for v in clf.loss_curve_], 'validation_score': [float(v) for v in clf.validation_scores_]}}


def child_sklearn_sgd_verbose():
    import warnings
    warnings.filterwarnings('ignore')
    import numpy as np
    import sklearn
    from sklearn.linear_model import SGDClassifier
    x, y = sklearn_data()
    clf = SGDClassifier(verbose=1, max_iter=6, tol=None, random_state=SEED)
    clf.fit(x, y)
    # SGD keeps no loss curve: what it does keep is the epoch count and the final weights the last `Norm`/`Bias` print.
    return {'library': f'scikit-learn {sklearn.__version__}', 'final': {'epochs': int(clf.n_iter_), 'norm': float(np.linalg.norm(clf.coef_)), 'bias': float(clf.intercept_[0])}}


def child_lightgbm_log_evaluation():
    import warnings
    warnings.filterwarnings('ignore')
    import lightgbm as lgb
    x, y = sklearn_data()
    tr = lgb.Dataset(x[:300], y[:300])
    va = lgb.Dataset(x[300:], y[300:], reference=tr)
    rec = {}
    lgb.train({'objective': 'binary', 'metric': ['binary_logloss', 'auc'], 'verbose': -1, 'seed': SEED, 'num_leaves': 7, 'learning_rate': 0.1},
              tr, num_boost_round=15, valid_sets=[tr, va], valid_names=['training', 'valid_1'],
              callbacks=[lgb.log_evaluation(1), lgb.record_evaluation(rec)])
    return {'library': f'lightgbm {lgb.__version__}', 'steps': {f'{k}/{m}': [float(v) for v in vs] for k, ms in rec.items() for m, vs in ms.items()}}


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


def child_torch_defaultdict_history():
    """A loop that keeps its history in a defaultdict of NumPy means (NumPy 2 reprs: np.float32(…)), printed at the end."""
    from collections import defaultdict
    import numpy as np
    import torch
    xt, yt, xv, yv = digits_torch()
    model = digits_net()
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    lossf = torch.nn.CrossEntropyLoss()
    history = defaultdict(list)
    for e in range(10):
        losses = []
        for b in range(0, len(xt), 100):
            opt.zero_grad()
            loss = lossf(model(xt[b:b + 100]), yt[b:b + 100])
            loss.backward()
            opt.step()
            losses.append(loss.detach().numpy())
        with torch.no_grad():
            out = model(xv)
            history['train_loss'].append(np.mean(np.array(losses, dtype=np.float32)))
            history['val_loss'].append(lossf(out, yv).numpy()[()])
            history['val_acc'].append(np.float64((out.argmax(1) == yv).float().mean().item()))
    print(history, flush=True)
    return {'library': f'torch {torch.__version__}, numpy {np.__version__}', 'epochs': {k: [float(v) for v in vs] for k, vs in history.items()}}


def child_torch_topk_print():
    """timm-style lines, printed by a hand-written loop: 'Train: e [n/N (p%)]  Loss: x (avg)' and 'Test: [N/N]  Loss: … Acc@1: … Acc@5: …'."""
    import torch
    xt, yt, xv, yv = digits_torch()
    model = digits_net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    lossf = torch.nn.CrossEntropyLoss()
    truth = {'loss': [], 'test_loss': [], 'acc1': [], 'acc5': []}
    nb = len(xt) // 100
    for e in range(6):
        tot = 0.0
        for b in range(nb):
            opt.zero_grad()
            loss = lossf(model(xt[b * 100:(b + 1) * 100]), yt[b * 100:(b + 1) * 100])
            loss.backward()
            opt.step()
            tot += loss.item()
            if b == nb - 1 or b % 5 == 0:
                print(f'Train: {e} [{b:>4d}/{nb} ({100. * (b + 1) / nb:>3.0f}%)]  Loss: {loss.item():#.3g} ({tot / (b + 1):#.3g})  LR: {0.1:.3e}', flush=True)
        truth['loss'].append(loss.item())
        with torch.no_grad():
            out = model(xv)
            tl = lossf(out, yv).item()
            top5 = out.topk(5, 1).indices
            a1 = (top5[:, 0] == yv).float().mean().item() * 100
            a5 = (top5 == yv[:, None]).any(1).float().mean().item() * 100
        print(f'Test: [   3/3]  Loss: {tl:>7.3f} ({tl:>7.3f})  Acc@1: {a1:>7.3f} ({a1:>7.3f})  Acc@5: {a5:>7.3f} ({a5:>7.3f})', flush=True)
        truth['test_loss'].append(tl)
        truth['acc1'].append(a1 / 100)
        truth['acc5'].append(a5 / 100)
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
    import warnings
    warnings.filterwarnings('ignore')
    import tempfile
    import torch
    import transformers
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
    from transformers.trainer_callback import PrinterCallback, ProgressCallback
    transformers.logging.set_verbosity_error()
    torch.manual_seed(SEED)
    g = torch.Generator().manual_seed(SEED)

    class Data(torch.utils.data.Dataset):
        def __init__(self, n):
            self.ids = torch.randint(3, 40, (n, 12), generator=g)
            self.labels = (self.ids[:, 0] > 20).long()

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            return {'input_ids': self.ids[i], 'attention_mask': torch.ones(12, dtype=torch.long), 'labels': self.labels[i]}

    cfg = BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, max_position_embeddings=16, num_labels=2)
    model = BertForSequenceClassification(cfg)
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, num_train_epochs=3, per_device_train_batch_size=16, logging_steps=4, eval_strategy='epoch',
                                 save_strategy='no', report_to=[], disable_tqdm=True, learning_rate=5e-3, seed=SEED, use_cpu=True)
        trainer = Trainer(model=model, args=args, train_dataset=Data(160), eval_dataset=Data(48))
        trainer.remove_callback(PrinterCallback)
        trainer.remove_callback(ProgressCallback)
        trainer.train()
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
    import warnings
    warnings.filterwarnings('ignore')
    import torch
    import lightning as L
    from lightning.pytorch.callbacks import Callback
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
            self.log('train_loss', loss, on_step=False, on_epoch=True)
            return loss

        def validation_step(self, batch, i):
            xb, yb = batch
            out = self.net(xb)
            self.log('val_loss', torch.nn.functional.cross_entropy(out, yb))
            self.log('val_acc', (out.argmax(1) == yb).float().mean())

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

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
    import warnings
    warnings.filterwarnings('ignore')
    import lightgbm as lgb
    x, y = sklearn_data()
    tr = lgb.Dataset(x[:300], y[:300])
    va = lgb.Dataset(x[300:], y[300:], reference=tr)
    rec = {}
    lgb.train({'objective': 'binary', 'metric': ['binary_logloss', 'auc'], 'verbose': -1, 'seed': SEED, 'num_leaves': 7, 'learning_rate': 0.1},
              tr, num_boost_round=12, valid_sets=[tr, va], valid_names=['training', 'valid_1'], callbacks=[lgb.record_evaluation(rec)])
    print(rec, flush=True)
    return {'library': f'lightgbm {lgb.__version__}', 'steps': {f'{k}/{m}': [float(v) for v in vs] for k, ms in rec.items() for m, vs in ms.items()}}


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
        ranks[r] = {'train_loss': [x[0] for x in rows], 'val_loss': [x[1] for x in rows], 'val_acc': [x[2] for x in rows]}
    return {'library': f'torch {torch.__version__} (torch.distributed, gloo, 2 processes)', 'epochs': ranks[0], 'rank1': ranks[1]}


def child_torchrun_tee():
    """torchrun --nproc_per_node 2 --tee 3: every line of each worker prefixed with [default<rank>]:."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, OMP_NUM_THREADS='1')
        subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--tee', '3', '--master_port', '29533',
                        os.path.abspath(__file__), '--ddp-worker', d, 'plain'], env=env, check=True)
        return ddp_truth(d)


def child_torch_ddp_rank_prefix():
    """A torch.distributed job (2 processes via torchrun, output not teed) whose script tags its own prints '[rank<r>]: '."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, OMP_NUM_THREADS='1')
        subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', '29534',
                        os.path.abspath(__file__), '--ddp-worker', d, 'tag'], env=env, check=True)
        return ddp_truth(d)


def child_torch_cr_fstring():
    """A loop that redraws its own status line with print(f'\\r…', end=''), ending each epoch with its validation."""
    import torch
    xt, yt, xv, yv = digits_torch()
    model = digits_net()
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    lossf = torch.nn.CrossEntropyLoss()
    truth = {'loss': [], 'val_loss': [], 'val_acc': []}
    nb = len(xt) // 100
    for e in range(1, 6):
        for b in range(nb):
            opt.zero_grad()
            loss = lossf(model(xt[b * 100:(b + 1) * 100]), yt[b * 100:(b + 1) * 100])
            loss.backward()
            opt.step()
            print(f'\rEpoch {e}/5 [{b + 1}/{nb}] loss: {loss.item():.4f}', end='', flush=True)
        with torch.no_grad():
            out = model(xv)
            vl = lossf(out, yv).item()
            va = (out.argmax(1) == yv).float().mean().item()
        print(f' - val_loss: {vl:.4f} - val_acc: {va:.4f}', flush=True)
        truth['loss'].append(loss.item())
        truth['val_loss'].append(vl)
        truth['val_acc'].append(va)
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
    return {'library': f'torch {torch.__version__}', 'epochs': {'train_loss': [r[0] for r in per], 'val_loss': [r[1] for r in per], 'val_acc': [r[2] for r in per]}}


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
    names = argv or list(STYLES)
    os.makedirs(OUT, exist_ok=True)
    manifest_path = os.path.join(OUT, 'manifest.tsv')
    rows = {}
    if os.path.exists(manifest_path):
        for line in open(manifest_path).read().splitlines()[1:]:
            rows[line.split('\t')[0]] = line
    for name in names:
        child, tty, what = STYLES[name]
        log_path = os.path.join(OUT, f'{name}.log')
        truth_path = os.path.join(OUT, f'{name}.truth.json')
        t0 = time.time()
        out = run_child(name, tty, truth_path)
        with open(log_path, 'wb') as f:
            f.write(out)
        truth = json.load(open(truth_path))
        series = ', '.join(f"{k}×{len(v)} ({scope})" for scope in ('epochs', 'steps') for k, v in truth.get(scope, {}).items() if k not in ('epoch', 'step'))
        if 'final' in truth:
            series = ', '.join(f'final {k}={v}' for k, v in truth['final'].items())
        how = f"{'pseudo-terminal (100×30)' if tty else 'pipe (stdout+stderr)'}: python3 scripts/capture-console-fixtures.py {name}"
        rows[f'{name}.log'] = '\t'.join([f'{name}.log', truth['library'], what, how, series])
        print(f'{name}: {len(out)} bytes in {time.time() - t0:.1f}s', file=sys.stderr)
    with open(manifest_path, 'w') as f:
        f.write('file\tlibrary and version\tstyle\thow captured\texpected series (from the truth file)\n')
        for k in sorted(rows):
            f.write(rows[k] + '\n')


if __name__ == '__main__':
    main(sys.argv[1:])
