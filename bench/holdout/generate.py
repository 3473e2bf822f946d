#!/usr/bin/env python3
"""An independent fault-injected hold-out set for runmedic (bench/holdout/README.md).

Written apart from bench/corpus' generators (plan.py, gen_*.py, common.py are not imported): its own datasets, models,
training loop, fault injections and log writers, so that a score on it measures the engine beyond the corpus
generator's own habits. The only thing shared with the corpus is bench/corpus/confirm.py's label checks, used to
*confirm* that each injected fault showed in the log (and that a healthy run shows nothing); a run whose check does not
agree is dropped and counted.

    python3 bench/holdout/generate.py                # plan, train (2 processes), confirm, write labels.tsv, pack
    python3 bench/holdout/generate.py --limit 3      # at most 3 runs per label (a quick look)
    python3 bench/holdout/generate.py --pack-only    # confirm and pack what out/work already holds

Every run is deterministic from its seed (torch on one CPU thread); the timing fields a real logger would fill
(trainer_state's runtimes) are derived from the step count so the same plan gives the same bytes.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from multiprocessing import Pool

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'out')

# ---------------------------------------------------------------- the plan

# Runs planned per label. The labels the acceptance set names get the most; a few of the rest for breadth.
PLAN = {
    'healthy': 60,
    'nan_loss': 20, 'divergence': 26, 'lr_too_high': 20, 'oscillation': 24, 'unshuffled_data': 28,
    'underfitting': 18, 'overfitting': 22, 'lr_too_low': 26, 'not_converged': 24, 'label_noise': 24,
    'early_stopping_missing': 22, 'plateau': 20,
    'stuck_at_chance': 10, 'bad_initial_loss': 8, 'loss_spikes': 8, 'noisy_validation': 8,
    'val_better_than_train': 6, 'train_loss_rising': 8,
}
FORMATS = ['keras_csv', 'keras_history', 'trainer_state', 'lightning_csv']
LOG_FILE = {'keras_csv': 'training.log', 'keras_history': 'history.json', 'trainer_state': 'trainer_state.json', 'lightning_csv': 'metrics.csv'}
STEP_FORMATS = ['trainer_state', 'lightning_csv']

# (dataset, family) pairs a healthy run trains well; faults draw from these so each has a healthy reference.
HEALTHY_COMBOS = [
    ('moons', 'mlp'), ('circles', 'mlp'), ('blobs4', 'mlp'), ('blobs4', 'linear'), ('digits', 'mlp'), ('digits', 'cnn'),
    ('digits', 'linear'), ('cancer', 'mlp'), ('cancer', 'linear'), ('wine', 'mlp'), ('friedman', 'mlp'),
    ('diabetes', 'mlp'), ('seqsum', 'gru'),
]
CLASSIF_COMBOS = [c for c in HEALTHY_COMBOS if c[0] not in ('friedman', 'diabetes')]
# A tuned Adam rate per family (found by hand on a few healthy runs, before any fault was planned).
TUNED = {'linear': 0.01, 'mlp': 0.003, 'cnn': 0.002, 'gru': 0.006}


def log_uniform(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def base_spec(label, i, rng, combos=HEALTHY_COMBOS, formats=FORMATS):
    dataset, family = combos[(i + rng.randrange(len(combos))) % len(combos)] if label != 'healthy' else combos[i % len(combos)]
    return {
        'label': label, 'dataset': dataset, 'family': family, 'format': formats[i % len(formats)],
        'seed': 7000 + sum(ord(c) for c in label) * 37 + i, 'optimizer': 'adam', 'momentum': 0.0,
        'lr': TUNED[family] * log_uniform(rng, 0.6, 1.6), 'batch': rng.choice([16, 32, 32, 64]),
        'epochs': rng.randint(25, 40), 'patience': None, 'weight_decay': 0.0, 'schedule': {'kind': 'constant'},
        'hidden': rng.choice([32, 64, 128]), 'depth': rng.choice([1, 2, 2, 3]), 'dropout': 0.0, 'clip': None,
        'n_train': None, 'n_val': None, 'shuffle': True, 'sort_by_label': False, 'flip': 0.0, 'output_scale': 1.0,
        'dead_relu': False, 'spike_every': None, 'input_noise': 0.0, 'target_scale': 1.0, 'handmade_bce': False,
        'init_scale': 1.0, 'terminate_on_nan': False, 'log_every': None, 'cause': '',
    }


def spec_for(label, i):
    rng = random.Random(f'holdout-{label}-{i}')
    s = base_spec(label, i, rng)
    if label == 'healthy':
        s['patience'] = rng.choice([6, 7, 8]) if i % 3 != 2 else None
        s['epochs'] = rng.randint(30, 45) if s['patience'] else rng.randint(15, 25)
        s['weight_decay'] = rng.choice([0.0, 1e-4, 1e-3])
        s['cause'] = 'tuned Adam rate, shuffled, ' + (f"early stopping (patience {s['patience']})" if s['patience'] else f"{s['epochs']} epochs")
    elif label == 'nan_loss':
        kind = i % 3
        if kind == 0:  # regression, targets left in raw units, SGD far too fast
            s.update(dataset=rng.choice(['friedman', 'diabetes']), family='mlp', optimizer='sgd', lr=log_uniform(rng, 0.05, 0.5), target_scale=rng.choice([100.0, 300.0]))
            s['cause'] = f"SGD lr {s['lr']:.2g} on unnormalised targets (x{s['target_scale']:.0f}): the loss overflows"
        elif kind == 1:  # a hand-written BCE, log(0) once the sigmoid saturates
            s.update(dataset=rng.choice(['moons', 'cancer', 'circles']), family='mlp', handmade_bce=True, lr=log_uniform(rng, 0.3, 1.5))
            s['cause'] = f"hand-written BCE log(p) with Adam lr {s['lr']:.2g}: a saturated sigmoid gives log(0)"
        else:  # exploding initialisation with SGD
            s.update(dataset=rng.choice(['friedman', 'diabetes', 'blobs4']), family='mlp', optimizer='sgd', lr=log_uniform(rng, 0.02, 0.1), init_scale=rng.choice([20.0, 40.0]), depth=3)
            s['cause'] = f"weights x{s['init_scale']:.0f} at init (3 layers), SGD lr {s['lr']:.2g}: activations overflow"
        s['terminate_on_nan'] = rng.random() < 0.4
        s['epochs'] = rng.randint(15, 30)
    elif label == 'divergence':
        hold = rng.uniform(0.2, 0.35)
        frac = hold + rng.uniform(0.1, 0.2)
        mult = log_uniform(rng, 30, 300)
        s['schedule'] = {'kind': 'warmup_hold', 'from': hold, 'until': frac, 'mult': mult}
        s['epochs'] = rng.randint(25, 40)
        s['cause'] = f"lr ramped up to {mult:.0f}x the tuned rate from {hold:.0%} to {frac:.0%} of the run, then held"
    elif label == 'lr_too_high':
        mult = log_uniform(rng, 10, 100)
        s['lr'] = TUNED[s['family']] * mult
        if rng.random() < 0.5:
            s.update(optimizer='sgd', lr=0.05 * mult)
        s['cause'] = f"{s['optimizer']} rate {mult:.0f}x the tuned one ({s['lr']:.2g})"
    elif label == 'oscillation':
        s.update(dataset=rng.choice(['moons', 'blobs4', 'cancer', 'digits', 'friedman', 'circles']), family='mlp', batch=rng.choice([2, 4, 8]),
                 n_train=rng.choice([240, 320, 400]), epochs=rng.randint(30, 40))
        if i % 2:
            s.update(optimizer='adam', lr=log_uniform(rng, 0.03, 0.1))
        else:
            s.update(optimizer='momentum', momentum=0.95, lr=log_uniform(rng, 0.01, 0.04))
        s['cause'] = f"{s['optimizer']} lr {s['lr']:.2g}{' momentum 0.95' if s['optimizer'] == 'momentum' else ''}, batch {s['batch']}"
    elif label == 'unshuffled_data':
        s.update(dataset=rng.choice(['moons', 'blobs4', 'digits', 'cancer', 'circles', 'wine']), format=STEP_FORMATS[i % 2], shuffle=False,
                 sort_by_label=True, batch=rng.choice([8, 16, 16]), epochs=rng.randint(8, 16), log_every=rng.choice([1, 1, 2]),
                 weight_decay=1e-3)
        if s['dataset'] == 'digits':
            s['family'] = rng.choice(['mlp', 'cnn'])
        else:
            s['family'] = 'mlp'
        s['lr'] = TUNED[s['family']] * log_uniform(rng, 0.2, 0.6)
        s['cause'] = f"training set sorted by label, shuffle off (batch {s['batch']}, loss logged every {s['log_every']} steps)"
    elif label == 'underfitting':
        if i % 2 == 0:
            s.update(dataset=rng.choice(['moons', 'friedman']), family='linear', lr=log_uniform(rng, 0.01, 0.03), batch=16)
            s['cause'] = 'a linear model on non-linear data'
        else:
            units = rng.choice([1, 2, 3, 4, 6, 8])
            ds = rng.choice(['digits', 'blobs4', 'friedman', 'circles'])
            s.update(dataset=ds, family='mlp', hidden=units if ds != 'digits' else min(units, 3), depth=1, lr=log_uniform(rng, 0.01, 0.03), batch=16)
            s['cause'] = f"a {s['hidden']}-unit hidden layer (too little capacity)"
        s['epochs'] = rng.randint(20, 35)
    elif label == 'overfitting':
        s.update(dataset=rng.choice(['digits', 'blobs4', 'cancer', 'friedman', 'moons']), family='mlp', hidden=256, depth=rng.choice([2, 3]),
                 n_train=rng.choice([60, 90, 120, 150]), epochs=rng.randint(100, 200), batch=16, lr=log_uniform(rng, 0.001, 0.003))
        if s['dataset'] == 'moons':
            s.update(hidden=256, depth=3, n_train=40)
        s['cause'] = f"{s['depth']}x256 MLP on {s['n_train']} training examples, no regularisation, {s['epochs']} epochs"
    elif label == 'lr_too_low':
        div = log_uniform(rng, 200, 1000)
        if rng.random() < 0.5:
            s.update(optimizer='sgd', lr=0.05 / div * 10)
        else:
            s['lr'] = TUNED[s['family']] / div
        s['epochs'] = rng.randint(40, 60)
        s['cause'] = f"{s['optimizer']} rate {s['lr']:.2g}, far below the tuned one"
    elif label == 'not_converged':
        s['epochs'] = rng.randint(6, 12)
        s['lr'] = TUNED[s['family']] * log_uniform(rng, 0.2, 0.5)
        s['batch'] = rng.choice([32, 64])
        s['cause'] = f"{s['epochs']} epochs at a modest rate where ~40 are needed"
    elif label == 'label_noise':
        s.update(dataset=rng.choice(['moons', 'blobs4', 'digits', 'cancer', 'circles']), epochs=rng.randint(10, 20), weight_decay=1e-2)
        s['family'] = 'mlp' if s['dataset'] != 'digits' else rng.choice(['mlp', 'cnn'])
        s['hidden'] = 32
        s['flip'] = rng.uniform(0.2, 0.4) if s['dataset'] in ('moons', 'cancer', 'circles') else rng.uniform(0.2, 0.6)
        s['cause'] = f"{s['flip']:.0%} of the training labels flipped, validation clean"
    elif label == 'early_stopping_missing':
        s.update(dataset=rng.choice(['moons', 'cancer', 'digits', 'blobs4', 'wine', 'friedman']), family='mlp', epochs=rng.randint(150, 250),
                 weight_decay=rng.choice([1e-3, 3e-3]), hidden=128, n_train=rng.choice([None, 300]), lr=TUNED['mlp'] * log_uniform(rng, 0.6, 1.6))
        s['cause'] = f"an easy task with weight decay trained {s['epochs']} epochs, no early stopping"
    elif label == 'plateau':
        at = rng.uniform(0.1, 0.25)
        s['lr'] = TUNED[s['family']] * log_uniform(rng, 0.15, 0.4)
        s['schedule'] = {'kind': 'cut', 'at': at, 'factor': rng.choice([1e-3, 0.0])}
        s['epochs'] = rng.randint(30, 45)
        s['cause'] = f"lr cut to {s['schedule']['factor']:g}x after {at:.0%} of the run"
    elif label == 'stuck_at_chance':
        s.update(**dict(zip(('dataset', 'family'), rng.choice([c for c in CLASSIF_COMBOS if c[1] == 'mlp']))), dead_relu=True)
        s['cause'] = 'every ReLU dead (hidden biases -10): one answer for every input'
    elif label == 'bad_initial_loss':
        s.update(**dict(zip(('dataset', 'family'), rng.choice(CLASSIF_COMBOS))), output_scale=log_uniform(rng, 30, 100))
        if i % 4:
            s.update(format=STEP_FORMATS[i % 2], log_every=1)
        s['cause'] = f"output layer x{s['output_scale']:.0f} at init (confidently wrong)"
    elif label == 'loss_spikes':
        s.update(**dict(zip(('dataset', 'family'), rng.choice([('moons', 'mlp'), ('blobs4', 'mlp'), ('digits', 'mlp'), ('friedman', 'mlp'), ('digits', 'cnn')]))))
        s.update(format=STEP_FORMATS[i % 2], log_every=1, spike_every=rng.randint(40, 100), epochs=rng.randint(15, 25), batch=16, clip=1.0,
                 lr=TUNED[s['family']] * log_uniform(rng, 0.6, 1.6))
        s['cause'] = f"inputs x30 in one batch every {s['spike_every']} steps"
    elif label == 'noisy_validation':
        s.update(**dict(zip(('dataset', 'family'), rng.choice([c for c in CLASSIF_COMBOS if c[1] != 'linear']))), n_val=rng.randint(10, 30), batch=64)
        s['lr'] = TUNED[s['family']] * log_uniform(rng, 0.6, 1.6)
        s['cause'] = f"validation on {s['n_val']} examples"
    elif label == 'val_better_than_train':
        s.update(dataset=rng.choice(['blobs4', 'digits', 'moons', 'friedman']), family='mlp', dropout=rng.uniform(0.4, 0.6), hidden=128)
        s['cause'] = f"dropout {s['dropout']:.2f} in training only"
    elif label == 'train_loss_rising':
        a = rng.uniform(0.3, 0.4)
        s['schedule'] = {'kind': 'raise_mid', 'start': a, 'end': a + rng.uniform(0.25, 0.35), 'mult': log_uniform(rng, 20, 50)}
        s['epochs'] = rng.randint(30, 40)
        s['cause'] = f"lr raised {s['schedule']['mult']:.0f}x from {a:.0%} to {s['schedule']['end']:.0%} of the run, then lowered"
    if label in ('label_noise', 'stuck_at_chance', 'bad_initial_loss', 'val_better_than_train'):
        s['lr'] = TUNED[s['family']] * log_uniform(rng, 0.6, 1.6)
    if s['dataset'] in ('friedman', 'diabetes') and s['family'] == 'cnn':
        s['family'] = 'mlp'
    s['id'] = f"{s['label']}-{s['dataset']}-{s['family']}-{s['format']}-{s['seed']}"
    return s


def plan(limit=None):
    out = []
    for label, n in PLAN.items():
        for i in range(min(n, limit) if limit else n):
            out.append(spec_for(label, i))
    return out


# ---------------------------------------------------------------- data and models (imported lazily in workers)

def load_data(spec):
    import numpy as np
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    ds = spec['dataset']
    seed = spec['seed']
    task = 'classification'
    if ds == 'moons':
        X, y = datasets.make_moons(n_samples=1200, noise=0.25, random_state=seed)
    elif ds == 'circles':
        X, y = datasets.make_circles(n_samples=1200, noise=0.1, factor=0.5, random_state=seed)
    elif ds == 'blobs4':
        X, y = datasets.make_classification(n_samples=1500, n_features=20, n_informative=8, n_redundant=4, n_classes=4,
                                            n_clusters_per_class=2, class_sep=1.2, random_state=seed % 97)
    elif ds == 'digits':
        X, y = datasets.load_digits(return_X_y=True)
    elif ds == 'cancer':
        X, y = datasets.load_breast_cancer(return_X_y=True)
    elif ds == 'wine':
        X, y = datasets.load_wine(return_X_y=True)
    elif ds == 'friedman':
        X, y = datasets.make_friedman1(n_samples=1200, n_features=10, noise=0.5, random_state=seed)
        task = 'regression'
    elif ds == 'diabetes':
        X, y = datasets.load_diabetes(return_X_y=True)
        task = 'regression'
    elif ds == 'seqsum':
        r = np.random.default_rng(seed)
        X = r.normal(size=(1200, 12))
        y = (X[:, :6].sum(1) > X[:, 6:].sum(1)).astype(int)
    else:
        raise ValueError(ds)
    X = X.astype('float64')
    strat = y if task == 'classification' else None
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=strat)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    sd[sd < 1e-6] = 1.0  # a pixel constant in the training split (digits' border) stays as it is
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    if task == 'regression':
        m, s = ytr.mean(), ytr.std()
        ytr, yva = (ytr - m) / s, (yva - m) / s
    r = np.random.default_rng(seed + 1)
    if spec['n_train'] and spec['n_train'] < len(Xtr):
        idx = r.choice(len(Xtr), spec['n_train'], replace=False)
        Xtr, ytr = Xtr[idx], ytr[idx]
    if spec['n_val'] and spec['n_val'] < len(Xva):
        idx = r.choice(len(Xva), spec['n_val'], replace=False)
        Xva, yva = Xva[idx], yva[idx]
    K = int(max(y.max() + 1, 2)) if task == 'classification' else None
    return task, K, Xtr, ytr, Xva, yva


def build_model(spec, d_in, d_out):
    import torch
    from torch import nn
    fam = spec['family']
    if fam == 'linear':
        model = nn.Linear(d_in, d_out)
    elif fam == 'mlp':
        layers, w = [], d_in
        for _ in range(spec['depth']):
            layers += [nn.Linear(w, spec['hidden']), nn.ReLU()]
            if spec['dropout']:
                layers.append(nn.Dropout(spec['dropout']))
            w = spec['hidden']
        layers.append(nn.Linear(w, d_out))
        model = nn.Sequential(*layers)
    elif fam == 'cnn':
        model = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1),
                              nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), *( [nn.Dropout(spec['dropout'])] if spec['dropout'] else []),
                              nn.Linear(32 * 16, d_out))
    elif fam == 'gru':
        class GRUNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.gru = nn.GRU(1, 24, batch_first=True)
                self.head = nn.Linear(24, d_out)

            def forward(self, x):
                out, h = self.gru(x.unsqueeze(-1))
                return self.head(h[-1])
        model = GRUNet()
    else:
        raise ValueError(fam)
    with torch.no_grad():
        linears = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
        if spec['init_scale'] != 1.0:
            for m in linears:
                m.weight.mul_(spec['init_scale'])
        if spec['output_scale'] != 1.0:
            linears[-1].weight.mul_(spec['output_scale'])
            linears[-1].bias.mul_(spec['output_scale'])
        if spec['dead_relu']:
            for m in linears[:-1]:
                m.bias.fill_(-10.0)
    return model


def lr_at(spec, t, total):
    """The rate at progress t (steps done / total steps)."""
    sch = spec['schedule']
    base = spec['lr']
    f = t / max(1, total)
    if sch['kind'] == 'warmup_hold':
        a = sch.get('from', 0.0)
        return base * (1 + (sch['mult'] - 1) * min(1.0, max(0.0, f - a) / (sch['until'] - a)))
    if sch['kind'] == 'cut':
        return base * (sch['factor'] if f >= sch['at'] else 1.0)
    if sch['kind'] == 'raise_mid':
        return base * (sch['mult'] if sch['start'] <= f < sch['end'] else 1.0)
    return base


def f32(x):
    import numpy as np
    return float(np.float32(x))


def train(spec):
    """Train one run. Returns the history: per-step losses/lrs/grad norms and per-epoch means and validation."""
    import numpy as np
    import torch
    from torch import nn
    torch.set_num_threads(1)
    torch.manual_seed(spec['seed'])
    task, K, Xtr, ytr, Xva, yva = load_data(spec)
    rng = np.random.default_rng(spec['seed'] + 2)
    if task == 'classification' and spec['flip'] > 0:
        ytr = ytr.copy()
        flip = rng.random(len(ytr)) < spec['flip']
        ytr[flip] = (ytr[flip] + rng.integers(1, K, flip.sum())) % K
    if spec['sort_by_label']:
        order = np.argsort(ytr, kind='stable')
        Xtr, ytr = Xtr[order], ytr[order]
    if task == 'regression' and spec['target_scale'] != 1.0:
        ytr, yva = ytr * spec['target_scale'], yva * spec['target_scale']
    Xt = torch.tensor(Xtr, dtype=torch.float32)
    Xv = torch.tensor(Xva, dtype=torch.float32)
    if task == 'classification':
        yt = torch.tensor(ytr, dtype=torch.long)
        yv = torch.tensor(yva, dtype=torch.long)
    else:
        yt = torch.tensor(ytr, dtype=torch.float32).unsqueeze(1)
        yv = torch.tensor(yva, dtype=torch.float32).unsqueeze(1)
    bce = spec['handmade_bce'] and task == 'classification' and K == 2
    d_out = 1 if (task == 'regression' or bce) else K
    model = build_model(spec, Xt.shape[1], d_out)

    def loss_fn(out, y):
        if task == 'regression':
            return nn.functional.mse_loss(out, y)
        if bce:
            p = torch.sigmoid(out.squeeze(1))
            yf = y.float()
            return -(yf * torch.log(p) + (1 - yf) * torch.log(1 - p)).mean()
        return nn.functional.cross_entropy(out, y)

    def correct(out, y):
        if bce:
            return int(((out.squeeze(1) > 0).long() == y).sum())
        return int((out.argmax(1) == y).sum())

    params = list(model.parameters())
    if spec['optimizer'] == 'adam':
        opt = torch.optim.Adam(params, lr=spec['lr'], weight_decay=spec['weight_decay'])
    else:
        opt = torch.optim.SGD(params, lr=spec['lr'], momentum=spec['momentum'] if spec['optimizer'] == 'momentum' else 0.0,
                              weight_decay=spec['weight_decay'])
    n = len(Xt)
    bs = spec['batch']
    spe = math.ceil(n / bs)
    total = spe * spec['epochs']
    gen = torch.Generator().manual_seed(spec['seed'] + 3)
    h = {'task': task, 'classes': K, 'train_size': n, 'val_size': len(Xv), 'spe': spe, 'step_loss': [], 'step_lr': [],
         'step_gn': [], 'step_n': [], 'ep_loss': [], 'ep_acc': [], 'val_loss': [], 'val_acc': [], 'ep_lr': []}
    if task == 'classification':
        h['majority'] = float(np.bincount(yva, minlength=K).max() / len(yva))
    best, wait = math.inf, 0
    step = 0
    for epoch in range(spec['epochs']):
        model.train()
        order = torch.randperm(n, generator=gen) if spec['shuffle'] else torch.arange(n)
        tot, cnt, cor = 0.0, 0, 0
        h['ep_lr'].append(lr_at(spec, step, total))
        for b in range(spe):
            idx = order[b * bs:(b + 1) * bs]
            xb, yb = Xt[idx], yt[idx]
            if spec['spike_every'] and step > 0 and step % spec['spike_every'] == 0:
                xb = xb * 30.0
            if spec['input_noise']:
                xb = xb + spec['input_noise'] * torch.randn(xb.shape, generator=gen)
            lr = lr_at(spec, step, total)
            for g in opt.param_groups:
                g['lr'] = lr
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(params, spec['clip'] or float('inf'))
            opt.step()
            lv = float(loss.detach())
            h['step_loss'].append(lv)
            h['step_lr'].append(lr)
            h['step_gn'].append(float(gn))
            h['step_n'].append(len(idx))
            tot += lv * len(idx)
            cnt += len(idx)
            if task == 'classification':
                cor += correct(out.detach(), yb)
            step += 1
        h['ep_loss'].append(tot / cnt)
        h['ep_acc'].append(cor / cnt if task == 'classification' else None)
        model.eval()
        with torch.no_grad():
            out = model(Xv)
            vl = float(loss_fn(out, yv))
            h['val_loss'].append(vl)
            h['val_acc'].append(correct(out, yv) / len(Xv) if task == 'classification' else None)
        if spec['terminate_on_nan'] and not math.isfinite(h['ep_loss'][-1]):
            break
        if spec['patience']:
            if vl < best - 1e-4:
                best, wait = vl, 0
            else:
                wait += 1
                if wait >= spec['patience']:
                    break
    return h


# ---------------------------------------------------------------- the writers: each log as its tool writes it

def write_log(spec, h):
    """(log text, record series for confirm.py): the series hold exactly the values the log holds."""
    fmt = spec['format']
    cls = h['task'] == 'classification'
    E = len(h['ep_loss'])
    spe = h['spe']
    ep_epochs = list(range(1, E + 1))  # record convention (as confirm.py reads it): 1-based completed epochs
    ep_steps = [e * spe for e in ep_epochs]
    series = []

    def ser(name, split, cadence, values, steps, epochs):
        series.append({'name': name, 'split': split, 'cadence': cadence, 'values': [v if math.isfinite(v) else ('nan' if math.isnan(v) else ('inf' if v > 0 else '-inf')) for v in values],
                       'steps': steps, 'epochs': epochs})

    el = [f32(v) for v in h['ep_loss']]
    vl = [f32(v) for v in h['val_loss']]
    ea = [f32(v) for v in h['ep_acc']] if cls else None
    va = [f32(v) for v in h['val_acc']] if cls else None
    if fmt in ('keras_csv', 'keras_history'):
        hist = {}
        if cls:
            hist['accuracy'] = ea
        hist['loss'] = el
        if cls:
            hist['val_accuracy'] = va
        hist['val_loss'] = vl
        if spec['schedule']['kind'] != 'constant':  # a LearningRateScheduler callback puts the rate into the logs
            hist['learning_rate'] = [f32(v) for v in h['ep_lr'][:E]]
        if fmt == 'keras_history':
            text = json.dumps(hist, indent=4 if spec['seed'] % 2 else None)
        else:
            keys = sorted(hist)
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator='\n')
            w.writerow(['epoch'] + keys)
            for e in range(E):
                w.writerow([e] + [repr_float(hist[k][e]) for k in keys])
            text = buf.getvalue()
        for k, v in hist.items():
            ser(k, 'val' if k.startswith('val_') else 'train', 'epoch', v, ep_steps, ep_epochs)
        return text, series
    if fmt == 'trainer_state':
        k = spec['log_every'] or max(1, spe // random.Random(spec['seed']).choice([4, 5, 8]))
        logs, steps, epochs_ = [], [], []
        total_steps = len(h['step_loss'])
        last = 0
        for s in range(1, total_steps + 1):
            if s % k == 0:
                window = h['step_loss'][last:s]
                logs.append({'epoch': s / spe, 'grad_norm': f32(h['step_gn'][s - 1]), 'learning_rate': h['step_lr'][s - 1],
                             'loss': f32(sum(window) / len(window)), 'step': s})
                last = s
            if s % spe == 0:
                e = s // spe
                entry = {'epoch': float(e), 'eval_loss': f32(h['val_loss'][e - 1]), 'step': s}
                if cls:
                    entry['eval_accuracy'] = f32(h['val_acc'][e - 1])
                rt = round(0.002 * h['val_size'] + 0.01, 4)
                entry.update(eval_runtime=rt, eval_samples_per_second=round(h['val_size'] / rt, 3), eval_steps_per_second=round(math.ceil(h['val_size'] / 8) / rt, 3))
                logs.append(entry)
        tl = [x for x in h['step_loss']]
        runtime = round(0.004 * total_steps + 0.3, 4)
        logs.append({'epoch': total_steps / spe, 'step': total_steps, 'total_flos': float(total_steps * spec['batch'] * 1000),
                     'train_loss': sum(tl) / len(tl), 'train_runtime': runtime,
                     'train_samples_per_second': round(h['train_size'] * E / runtime, 3), 'train_steps_per_second': round(total_steps / runtime, 3)})
        state = {'best_global_step': None, 'best_metric': None, 'best_model_checkpoint': None, 'epoch': total_steps / spe, 'eval_steps': 500,
                 'global_step': total_steps, 'is_hyper_param_search': False, 'is_local_process_zero': True, 'is_world_process_zero': True,
                 'log_history': logs, 'logging_steps': k, 'max_steps': spe * spec['epochs'], 'num_input_tokens_seen': 0,
                 'num_train_epochs': spec['epochs'], 'save_steps': 500,
                 'stateful_callbacks': {'TrainerControl': {'args': {'should_epoch_stop': False, 'should_evaluate': False, 'should_log': False,
                                                                    'should_save': True, 'should_training_stop': True}, 'attributes': {}}},
                 'total_flos': float(total_steps * spec['batch'] * 1000), 'train_batch_size': spec['batch'], 'trial_name': None, 'trial_params': None}
        text = json.dumps(state, indent=2, sort_keys=True) + '\n'
        tr = [e for e in logs if 'loss' in e]
        for key, name in (('loss', 'loss'), ('learning_rate', 'learning_rate'), ('grad_norm', 'grad_norm')):
            ser(name, 'train', 'step', [e[key] for e in tr], [e['step'] for e in tr], [e['epoch'] for e in tr])
        ev = [e for e in logs if 'eval_loss' in e]
        ser('eval_loss', 'val', 'epoch', [e['eval_loss'] for e in ev], [e['step'] for e in ev], [int(e['epoch']) for e in ev])
        if cls:
            ser('eval_accuracy', 'val', 'epoch', [e['eval_accuracy'] for e in ev], [e['step'] for e in ev], [int(e['epoch']) for e in ev])
        return text, series
    if fmt == 'lightning_csv':
        k = spec['log_every'] or max(1, spe // random.Random(spec['seed']).choice([3, 4, 6]))
        cols = ['epoch', 'step'] + (['train_acc'] if cls else []) + ['train_loss_epoch', 'train_loss_step'] + (['val_acc'] if cls else []) + ['val_loss']
        rows = []
        st_v, st_s, st_e = [], [], []
        total_steps = len(h['step_loss'])
        for g in range(total_steps):
            e = g // spe
            if (g + 1) % k == 0:
                v = f32(h['step_loss'][g])
                rows.append({'epoch': e, 'step': g, 'train_loss_step': v})
                st_v.append(v)
                st_s.append(g + 1)
                st_e.append((g + 1) / spe)
            if (g + 1) % spe == 0:
                row = {'epoch': e, 'step': g, 'val_loss': vl[e]}
                if cls:
                    row['val_acc'] = va[e]
                rows.append(row)
                row = {'epoch': e, 'step': g, 'train_loss_epoch': el[e]}
                if cls:
                    row['train_acc'] = ea[e]
                rows.append(row)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator='\n')
        w.writerow(cols)
        for r in rows:
            w.writerow([('' if c not in r else (r[c] if c in ('epoch', 'step') else repr_float(r[c]))) for c in cols])
        text = buf.getvalue()
        ser('train_loss_step', 'train', 'step', st_v, st_s, st_e)
        ser('train_loss_epoch', 'train', 'epoch', el, ep_steps, ep_epochs)
        ser('val_loss', 'val', 'epoch', vl, ep_steps, ep_epochs)
        if cls:
            ser('train_acc', 'train', 'epoch', ea, ep_steps, ep_epochs)
            ser('val_acc', 'val', 'epoch', va, ep_steps, ep_epochs)
        return text, series
    raise ValueError(fmt)


def repr_float(v):
    """What csv.writer writes for a Python float (str): 'nan', 'inf', '0.123…'."""
    return str(float(v))


def run_one(spec):
    work = os.path.join(OUT, 'work', spec['id'] + '.json')
    if os.path.exists(work):
        return spec['id'], 'cached', 0.0
    t0 = time.time()
    try:
        h = train(spec)
        text, series = write_log(spec, h)
    except Exception as e:  # noqa: BLE001 - a failed run is reported, not fatal
        return spec['id'], f'failed: {type(e).__name__}: {e}', time.time() - t0
    d = os.path.join(OUT, 'runs', spec['id'])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, LOG_FILE[spec['format']]), 'w', newline='') as f:
        f.write(text)
    rec = {'id': spec['id'], 'spec': spec, 'task': h['task'], 'classes': h['classes'], 'majority': h.get('majority'),
           'train_size': h['train_size'], 'val_size': h['val_size'], 'epochs_run': len(h['ep_loss']), 'series': series}
    tmp = work + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(rec, f)
    os.replace(tmp, work)
    return spec['id'], 'ok', time.time() - t0


# ---------------------------------------------------------------- confirm, label, pack

def confirm_all(specs):
    sys.path.insert(0, os.path.join(HERE, '..', 'corpus'))
    import confirm as C  # bench/corpus/confirm.py: only its label checks, not the corpus generator
    runs, missing = [], []
    for s in specs:
        p = os.path.join(OUT, 'work', s['id'] + '.json')
        if not os.path.exists(p):
            missing.append(s['id'])
            continue
        with open(p) as f:
            rec = json.load(f)
        runs.append(C.Run(s['id'], rec, {'dataset': s['dataset'], 'family': s['family'], 'intended': s['label']}))
    first = {r.id: C.confirm(r, None) for r in runs}
    refs = C.reference_levels(runs, first)
    labels = {r.id: C.confirm(r, C.ref_for(r, refs)) for r in runs}
    return runs, labels, missing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--limit', type=int, default=None, help='at most this many runs per label')
    ap.add_argument('--only', default=None, help='only this label')
    ap.add_argument('--pack-only', action='store_true')
    ap.add_argument('--no-pack', action='store_true')
    args = ap.parse_args()
    specs = plan(args.limit)
    if args.only:
        specs = [s for s in specs if s['label'] in args.only.split(',')]
    os.makedirs(os.path.join(OUT, 'work'), exist_ok=True)
    t0 = time.time()
    if not args.pack_only:
        # Longest first, so the two workers finish together.
        order = sorted(specs, key=lambda s: -(s['epochs'] * (1 if s['batch'] >= 16 else 8)))
        failures = []
        with Pool(args.jobs, maxtasksperchild=20) as pool:
            for k, (rid, status, sec) in enumerate(pool.imap_unordered(run_one, order), 1):
                if status.startswith('failed'):
                    failures.append((rid, status))
                print(f'[{k}/{len(order)} {time.time() - t0:6.0f}s] {rid} {status} {sec:.1f}s', flush=True)
        for rid, st in failures:
            print(f'FAILED {rid}: {st}', flush=True)
    runs, labels, missing = confirm_all(specs)
    by_id = {s['id']: s for s in specs}
    kept, table = [], defaultdict(Counter)
    for r in runs:
        s = by_id[r.id]
        got = labels[r.id]
        table[s['label']][','.join(got)] += 1
        if got == [s['label']]:
            kept.append((s, r))
    print(f'\nconfirmed {len(runs)} runs ({len(missing)} missing/failed); kept {len(kept)} whose confirmed labels are exactly the injected one')
    report = []
    for label in PLAN:
        c = table[label]
        tot = sum(c.values())
        k = c.get(label, 0)
        others = ', '.join(f'{x} {n}' for x, n in c.most_common() if x != label)
        line = f'  {label:24s} planned {PLAN[label] if not args.limit else min(PLAN[label], args.limit):3d}  trained {tot:3d}  kept {k:3d}  dropped {tot - k:3d}' + (f'  ({others})' if others else '')
        report.append(line)
        print(line)
    if args.no_pack:
        return
    # labels.tsv and the archive of the kept runs' logs.
    kept.sort(key=lambda x: x[0]['id'])
    stage = os.path.join(HERE, 'stage')
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(os.path.join(stage, 'out', 'runs'))
    sums = []
    with open(os.path.join(HERE, 'labels.tsv'), 'w', newline='') as f:
        w = csv.writer(f, delimiter='\t', lineterminator='\n')
        w.writerow(['file', 'format', 'label', 'cause', 'dataset', 'family', 'task', 'classes', 'seed', 'sha256'])
        for s, r in kept:
            rel = f"{s['id']}/{LOG_FILE[s['format']]}"
            src = os.path.join(OUT, 'runs', rel)
            with open(src, 'rb') as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
            os.makedirs(os.path.join(stage, 'out', 'runs', s['id']))
            shutil.copyfile(src, os.path.join(stage, 'out', 'runs', rel))
            w.writerow([rel, s['format'], s['label'], s['cause'], s['dataset'], s['family'], r.task, r.K or '', s['seed'], digest])
            sums.append(f'{digest}  out/runs/{rel}')
    archive = os.path.join(HERE, 'runs.tar.xz')
    env = dict(os.environ, XZ_OPT='-9e')
    subprocess.run(['tar', '--sort=name', '--mtime=2027-01-01 00:00:00', '--owner=0', '--group=0', '--numeric-owner',
                    '--format=gnu', '-cJf', archive, 'out'], cwd=stage, check=True, env=env)
    shutil.rmtree(stage)
    with open(os.path.join(HERE, 'SHA256SUMS'), 'w') as f:
        f.write('\n'.join(sums) + '\n')
    with open(os.path.join(HERE, 'report.txt'), 'w') as f:
        f.write(f'{len(runs)} runs trained, {len(kept)} kept (confirmed labels exactly the injected one), {len(missing)} failed\n')
        f.write('\n'.join(report) + '\n')
    print(f'wrote labels.tsv ({len(kept)} runs), SHA256SUMS, runs.tar.xz ({os.path.getsize(archive) / 1e6:.2f} MB) in {time.time() - t0:.0f}s')


if __name__ == '__main__':
    main()
