#!/usr/bin/env python3
"""
Captures real console outputs of the training libraries installed here (Keras 3, PyTorch, Lightning, transformers,
scikit-learn, LightGBM, tqdm, Rich) into test/fixtures/console/, for the general console reader's tests.

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
        series = ', '.join(f"{k}×{len(v)} ({scope})" for scope in ('epochs', 'steps') for k, v in truth.get(scope, {}).items() if k != 'epoch')
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
