#!/usr/bin/env python3
"""Confirm each corpus run's labels from its own recorded history (bench/corpus/README.md, "Labels").

Written independently of runmedic's engine (src/diagnose): Python, from the README's definitions only, so the
labels the engine is fitted and judged against are not the engine's own opinion. Reads out/runs/*/record.json and
out/runs.tsv, writes manifest.tsv (one row per run, with the confirmed labels) and prints intended x confirmed counts.

    python3 bench/corpus/confirm.py --out bench/corpus/out --manifest bench/corpus/manifest.tsv
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import sys
from collections import Counter, defaultdict

LABELS = [
    'healthy', 'nan_loss', 'divergence', 'lr_too_high', 'oscillation', 'loss_spikes', 'unshuffled_data',
    'lr_too_low', 'not_converged', 'slow_convergence', 'plateau', 'underfitting', 'stuck_at_chance',
    'train_loss_rising', 'overfitting', 'generalization_gap', 'noisy_validation', 'val_better_than_train',
    'early_stopping_missing', 'bad_initial_loss', 'label_noise',
]

# One story: a confirmed label on the left removes the labels on the right (README, "Subsumption").
CURVE_LABELS = set(LABELS) - {'healthy'}
SUBSUMES = {
    'nan_loss': CURVE_LABELS - {'nan_loss', 'bad_initial_loss', 'unshuffled_data'},
    'divergence': {'train_loss_rising', 'lr_too_high', 'not_converged', 'plateau', 'overfitting', 'generalization_gap',
                   'early_stopping_missing', 'stuck_at_chance', 'oscillation', 'underfitting', 'loss_spikes'},
    'lr_too_high': {'stuck_at_chance', 'plateau', 'underfitting', 'slow_convergence', 'oscillation', 'lr_too_low', 'not_converged'},
    'unshuffled_data': {'train_loss_rising', 'divergence', 'loss_spikes', 'oscillation', 'noisy_validation', 'lr_too_low',
                        'not_converged', 'slow_convergence', 'plateau', 'generalization_gap', 'val_better_than_train',
                        'bad_initial_loss', 'label_noise', 'underfitting'},
    'stuck_at_chance': {'plateau', 'underfitting', 'slow_convergence'},
    'underfitting': {'plateau', 'not_converged', 'slow_convergence'},
    'lr_too_low': {'not_converged', 'slow_convergence'},
    'overfitting': {'early_stopping_missing', 'generalization_gap'},
    'label_noise': {'val_better_than_train', 'overfitting', 'generalization_gap', 'underfitting'},
    'oscillation': {'noisy_validation', 'loss_spikes', 'overfitting', 'early_stopping_missing', 'generalization_gap',
                    'underfitting', 'plateau'},
}
# Order in which subsumption is applied: a label removed by an earlier one no longer removes others.
PRECEDENCE = ['nan_loss', 'divergence', 'lr_too_high', 'unshuffled_data', 'stuck_at_chance', 'underfitting',
              'lr_too_low', 'label_noise', 'oscillation', 'overfitting']


# ---------------------------------------------------------------- series helpers

def fnum(v):
    if isinstance(v, str):
        return {'nan': math.nan, 'inf': math.inf, '-inf': -math.inf}.get(v.lower(), math.nan)
    if v is None:
        return math.nan
    return float(v)


def norm_key(name: str) -> str:
    n = name.lower().strip()
    for pre in ('val_', 'valid_', 'validation_', 'eval_', 'test_', 'train_', 'training_', 'epoch_', 'val/', 'train/', 'eval/'):
        if n.startswith(pre):
            n = n[len(pre):]
    for suf in ('_step', '_epoch', '/train', '/val', '/validation', '_train', '_val'):
        if n.endswith(suf):
            n = n[: -len(suf)]
    if 'loss' in n or n in ('cost', 'objective', 'mse', 'nll'):
        return 'loss'
    if 'acc' in n:
        return 'accuracy'
    if n in ('lr', 'learning_rate') or n.startswith('lr-') or n.startswith('lr_'):
        return 'lr'
    return n


class S:
    """One recorded series: finite-or-not values with steps and epochs."""

    def __init__(self, d):
        self.name = d['name']
        self.split = d.get('split', 'train')
        self.cadence = d.get('cadence', 'epoch')
        self.values = [fnum(v) for v in d['values']]
        n = len(self.values)
        self.steps = [fnum(v) for v in (d.get('steps') or list(range(n)))]
        ep = d.get('epochs')
        self.epochs = [fnum(v) for v in ep] if ep else [math.nan] * n
        self.key = norm_key(self.name)


def epoch_bucket(epochs):
    """Epoch index of each point: floor for integer epoch columns, ceil-1 for fractional progress (0.05 … 1.0)."""
    fin = [e for e in epochs if math.isfinite(e)]
    integer = fin and all(abs(e - round(e)) < 1e-9 for e in fin)
    out = []
    for e in epochs:
        if not math.isfinite(e):
            out.append(None)
        elif integer:
            out.append(int(round(e)))
        else:
            out.append(max(0, math.ceil(e - 1e-9) - 1))
    return out


def epoch_means(s: S):
    """(epoch indices, mean value per epoch) of a series; an epoch-cadence series as it is."""
    if s.cadence == 'epoch':
        xs = [e if math.isfinite(e) else st for e, st in zip(s.epochs, s.steps)]
        return xs, list(s.values)
    b = epoch_bucket(s.epochs)
    if all(x is None for x in b):
        return None
    acc = defaultdict(list)
    order = []
    for k, v in zip(b, s.values):
        if k is None:
            continue
        if k not in acc:
            order.append(k)
        acc[k].append(v)
    return order, [sum(acc[k]) / len(acc[k]) for k in order]


def finite(xs):
    return [x for x in xs if math.isfinite(x)]


def med(xs):
    xs = finite(xs)
    return statistics.median(xs) if xs else math.nan


def rolling_median(xs, w):
    if w <= 1:
        return list(xs)
    h = w // 2
    return [med(xs[max(0, i - h): i + h + 1]) for i in range(len(xs))]


def robust_sigma_d2(logs):
    """Noise σ from second differences (robust to a linear trend): 1.4826·MAD(Δ²)/√6."""
    d2 = [logs[i + 1] - 2 * logs[i] + logs[i - 1] for i in range(1, len(logs) - 1)]
    d2 = finite(d2)
    if len(d2) < 3:
        return 0.0
    m = statistics.median(d2)
    return 1.4826 * statistics.median([abs(x - m) for x in d2]) / math.sqrt(6)


def theil_sen(xs, ys):
    sl = []
    n = len(xs)
    step = max(1, n // 60)
    idx = list(range(0, n, step))
    for a in range(len(idx)):
        for b in range(a + 1, len(idx)):
            i, j = idx[a], idx[b]
            if xs[j] != xs[i]:
                sl.append((ys[j] - ys[i]) / (xs[j] - xs[i]))
    return statistics.median(sl) if sl else 0.0


def log_pos(xs):
    return [math.log(x) if x > 0 else math.nan for x in xs]


# ---------------------------------------------------------------- the run

class Run:
    def __init__(self, rid, rec, row):
        self.id = rid
        self.rec = rec
        self.row = row
        self.series = [S(d) for d in rec.get('series', [])]
        self.task = rec.get('task', 'classification')
        self.K = rec.get('classes')
        self.majority = rec.get('majority')

    def pick(self, key, split, cadence=None):
        c = [s for s in self.series if s.key == key and s.split == split and (cadence is None or s.cadence == cadence)]
        c.sort(key=lambda s: -len(s.values))
        return c[0] if c else None

    @property
    def train_loss_step(self):
        return self.pick('loss', 'train', 'step')

    @property
    def train_loss(self):
        return self.pick('loss', 'train', 'step') or self.pick('loss', 'train', 'epoch')

    def train_loss_epochs(self):
        e = self.pick('loss', 'train', 'epoch')
        if e and len(e.values) >= 2:
            return epoch_means(e)
        s = self.train_loss_step
        return epoch_means(s) if s else None

    def val_loss_epochs(self):
        v = self.pick('loss', 'val')
        return epoch_means(v) if v else None

    def acc_epochs(self, split):
        a = self.pick('accuracy', split)
        if not a:
            return None
        r = epoch_means(a)
        if not r:
            return None
        xs, ys = r
        if any(y > 1.0 + 1e-9 for y in finite(ys)):  # percent
            ys = [y / 100 for y in ys]
        return xs, ys

    def chance_loss(self):
        if self.task != 'classification' or not self.K:
            return None
        if self.majority and self.K:
            # entropy of the label prior: a constant predictor's best loss
            p = self.majority
            rest = (1 - p) / max(1, self.K - 1)
            return -(p * math.log(p) + (self.K - 1) * rest * math.log(rest)) if 0 < p < 1 and rest > 0 else math.log(self.K)
        return math.log(self.K)

    def chance_acc(self):
        if self.task != 'classification' or not self.K:
            return None
        return max(1.0 / self.K, self.majority or 0.0)


def tail_level(ys, share=0.1, at_least=3):
    n = len(ys)
    k = min(n, max(at_least, int(n * share)))
    return med(ys[n - k:])


def has_nonfinite_loss(run: Run):
    return any(s.key == 'loss' and any(not math.isfinite(v) for v in s.values) for s in run.series)


# ---------------------------------------------------------------- checks (README table)

def check_nan(run):
    return has_nonfinite_loss(run)


def smoothed_train(run):
    """Training loss to judge shapes on: epoch means when ≥ 6 epochs, else the step loss under a running median."""
    te = run.train_loss_epochs()
    if te and len(te[1]) >= 6:
        return te[1]
    s = run.train_loss
    if not s:
        return None
    w = max(1, len(s.values) // 50)
    return rolling_median(s.values, w | 1)


def check_divergence(run):
    ys = smoothed_train(run)
    if not ys or len(ys) < 6 or len(finite(ys)) != len(ys):
        return False
    n = len(ys)
    k = max(3, n // 10)
    levels = [med(ys[i:i + k]) for i in range(0, n - k + 1)]
    low_i = min(range(len(levels)), key=lambda i: levels[i])
    low = levels[low_i]
    tail = max(3, math.ceil(0.15 * n))
    end = med(ys[n - tail:])
    if not ((low_i + k / 2) / n <= 0.8 and low > 0 and end >= 2 * low):
        return False
    # Sustained: after the climb passes half its height, at least 70 % of the points stay above that half.
    half = math.exp((math.log(low) + math.log(end)) / 2)
    start = next((i for i in range(low_i, n) if ys[i] > half), None)
    if start is None:
        return False
    above = sum(1 for y in ys[start:] if y > half)
    return above >= 0.7 * (n - start)


def first_epoch_blowup(run):
    s = run.train_loss_step
    if not s:
        return None
    b = epoch_bucket(s.epochs)
    first = [v for k, v in zip(b, s.values) if k is not None and k == (b[0] if b else None)]
    if len(first) < 4 or not math.isfinite(first[0]):
        return None
    ref = max(first[0], run.chance_loss() or 0)
    above = sum(1 for v in first[1:] if not math.isfinite(v) or v >= 4 * ref)
    return above


def check_lr_too_high(run, ref):
    cl = run.chance_loss()
    s = run.train_loss_step
    if s:
        above = first_epoch_blowup(run)
        if above is None:
            return False
        first = s.values[0]
        not_bad_init = cl is None or first < 3 * cl
        return above >= 3 and not_bad_init
    te = run.train_loss_epochs()
    if not te or len(te[1]) < 3 or ref is None or len(finite(te[1])) != len(te[1]):
        return False
    ys = te[1]
    # Per epoch the overshoot shows as the loss going up (an epoch ≥ 20 % worse than the one before, in the first
    # half) and a run that ends far above what healthy runs of the same data and model reach. A loss that only falls
    # from a huge first epoch is a bad initialisation, not a rate.
    half = max(2, len(ys) // 2)
    rose = any(ys[i] >= 1.2 * ys[i - 1] for i in range(1, half))
    return rose and tail_level(ys) >= 1.5 * ref['end']


def epoch_aggregate(run):
    """The training loss per epoch when it is one: logged per epoch, or ≥ 5 logged steps averaged per epoch."""
    e = run.pick('loss', 'train', 'epoch')
    if e and len(e.values) >= 2:
        return epoch_means(e)
    s = run.train_loss_step
    if not s:
        return None
    b = [x for x in epoch_bucket(s.epochs) if x is not None]
    if not b or len(b) < 5 * len(set(b)):
        return None
    return epoch_means(s)


def check_oscillation(run):
    ve = run.val_loss_epochs()
    te = epoch_aggregate(run)
    curve = ve[1] if ve and len(ve[1]) >= 12 else (te[1] if te and len(te[1]) >= 12 else None)
    if not curve or not te or len(te[1]) < 12:
        return False
    lv = log_pos(curve)
    if len(finite(lv)) != len(lv):
        return False
    moves = [lv[i] - lv[i - 1] for i in range(1, len(lv))]
    big = [m for m in moves if abs(m) >= 0.05]
    turns = sum(1 for a, b in zip(big, big[1:]) if (a > 0) != (b > 0))
    tl = log_pos(te[1])
    if len(finite(tl)) != len(tl):
        return False
    rises = sum(1 for i in range(1, len(tl)) if tl[i] - tl[i - 1] >= 0.05)
    return turns >= 0.35 * (len(lv) - 2) and rises >= 0.2 * (len(tl) - 1)


def check_spikes(run):
    s = run.train_loss_step
    if not s or len(s.values) < 20:
        return False
    v = s.values
    if len(finite(v)) != len(v) or min(v) <= 0:
        return False
    n = len(v)
    base = rolling_median(v, 9)
    res = [math.log(v[i] / base[i]) for i in range(n)]
    m = statistics.median(res)
    sig = 1.4826 * statistics.median([abs(r - m) for r in res]) or 1e-9
    # Visible on the chart: at least 5 % of the span the run's loss covers.
    span = max(v[: max(1, n // 20)]) - min(v)
    spikes = []
    for i in range(int(n * 0.05), n):
        if v[i] < 5 * base[i] or res[i] - m < 6 * sig or v[i] - base[i] < 0.05 * span:
            continue
        back = any(v[j] <= 1.5 * base[j] for j in range(i + 1, min(n, i + 4)))
        if back and (not spikes or i - spikes[-1] > 3):
            spikes.append(i)
    return 2 <= len(spikes) <= 0.1 * n


def check_unshuffled(run):
    s = run.train_loss_step
    if not s or len(s.values) < 24:
        return False
    b = epoch_bucket(s.epochs)
    if any(x is None for x in b):
        return False
    counts = Counter(b)
    if len(counts) < 3:
        return False
    period = int(round(statistics.median(list(counts.values()))))
    if period < 8:
        return False
    lv = log_pos(s.values)
    if len(finite(lv)) != len(lv):
        return False
    # Detrend with a centred moving average one epoch wide: it removes the run's own descent (which, measured against
    # each epoch's mean, would itself look like a per-epoch sawtooth) and cancels any pattern that repeats every epoch.
    n = len(lv)
    h = period // 2
    r = []
    for i in range(h, n - h):
        window = lv[i - h:i - h + period]
        r.append(lv[i] - sum(window) / len(window))
    n = len(r)
    if n <= period + 2:
        return False
    mr = sum(r) / n
    var = sum((x - mr) ** 2 for x in r)
    if var <= 0:
        return False
    cov = sum((r[i] - mr) * (r[i + period] - mr) for i in range(n - period))
    ac = cov / var * n / (n - period)
    return ac >= 0.4


def progress_curve(run):
    ve = run.val_loss_epochs()
    if ve and len(ve[1]) >= 6:
        return ve[1]
    return smoothed_train(run)


def progress_shape(ys):
    """(progress P on log scale, halfway share h, tail change, tail threshold) or None."""
    lv = log_pos(ys)
    if len(lv) < 6 or len(finite(lv)) != len(lv):
        return None
    n = len(lv)
    head = med(lv[:3])
    tail = tail_level(lv)
    P = head - tail
    sm = rolling_median(lv, 3)
    half = head - P / 2
    i = next((i for i in range(n) if sm[i] <= half), n - 1)
    h = i / (n - 1)
    k = max(4, math.ceil(n / 4))
    xs = list(range(n - k, n))
    slope = theil_sen(xs, lv[n - k:])
    change = slope * (k - 1)
    sigma = robust_sigma_d2(lv)
    # Beyond noise (2 standard errors of a fitted change over k points) and above rounding (0.3 %).
    thr = max(2 * sigma * math.sqrt(12 / k), 0.003)
    return P, h, change, thr


def still_improving(shape):
    P, h, change, thr = shape
    return P > 0 and -change >= thr and -change >= 0.08 * P


def check_lr_too_low(run):
    s = progress_shape(progress_curve(run) or [])
    return bool(s) and still_improving(s) and s[1] >= 0.45


def linear_tail_share(ys):
    """The last quarter's fall as a share of the run's progress, in the loss's own units (as a plot shows them)."""
    n = len(ys)
    k = max(4, math.ceil(n / 4))
    slope = theil_sen(list(range(n - k, n)), ys[n - k:])
    total = med(ys[:3]) - min(ys)
    return -slope * (k - 1) / total if total > 0 else 0.0


def check_not_converged(run):
    ys = progress_curve(run) or []
    s = progress_shape(ys)
    return bool(s) and still_improving(s) and s[1] < 0.45 and linear_tail_share(ys) >= 0.08


def check_slow(run):
    ys = progress_curve(run) or []
    if len(ys) < 10:
        return False
    s = progress_shape(ys)
    if not s:
        return False
    P, h, change, thr = s
    return P >= 0.2 and h >= 0.45 and abs(change) < thr


def good_accuracy(run):
    """A model this accurate at the end has converged, whatever its loss level."""
    for split in ('val', 'train'):
        a = run.acc_epochs(split)
        if a and len(a[1]) >= 3 and tail_level(a[1]) >= 0.95:
            return True
    return False


# Regression targets are standardised with the training statistics (common.py), so an MSE of 1 is what predicting the
# mean costs: a run that ends at 90 % of it or more explains almost none of the variance. The reference of healthy runs
# of the same data and family cannot show that when the whole family never learns the task (a transformer on `sine`
# ends at MSE ≈ 1 in every run), so such a run was labelled healthy; this level is high whatever the reference says.
REGRESSION_CHANCE_SHARE = 0.9
# The same for classification: a cross-entropy that ends at 90 % or more of what the label prior alone costs (the
# chance loss: ln K for balanced classes) has learnt almost nothing about the inputs. A linear model on `circles` ends
# at ln 2 in every run, so its family has no healthy reference and such runs were labelled healthy.
CLASSIFICATION_CHANCE_SHARE = 0.9


def near_chance(run, end):
    """Whether a training loss ending at `end` explains almost nothing: ≥ 90 % of the mean's MSE or of the chance loss."""
    if run.task == 'regression':
        return end >= REGRESSION_CHANCE_SHARE
    cl = run.chance_loss()
    return cl is not None and end >= CLASSIFICATION_CHANCE_SHARE * cl


def high_level(run, end, ref, factor):
    """Whether a training loss ending at `end` is high: `factor`× the reference's end, or near chance."""
    if near_chance(run, end):
        return True
    return ref is not None and end >= factor * ref['end']


def can_judge_level(run, ref):
    """A level can be called high against a healthy reference, or against chance when chance is known."""
    return ref is not None or run.task == 'regression' or run.chance_loss() is not None


def check_plateau(run, ref):
    if not can_judge_level(run, ref) or good_accuracy(run):
        return False
    ys = smoothed_train(run)
    if not ys or len(ys) < 8:
        return False
    lv = log_pos(ys)
    if len(finite(lv)) != len(lv):
        return False
    n = len(lv)
    head = med(lv[:3])
    cut = n // 2
    best_first = min(lv[:cut])
    best_second = min(lv[cut:])
    sigma = robust_sigma_d2(lv)
    progress = head - best_first
    stalled = best_second >= best_first - max(3 * sigma, 0.01)
    end = math.exp(tail_level(lv))
    return progress >= math.log(1 / 0.8) and stalled and high_level(run, end, ref, 1.5)


def check_underfitting(run, ref):
    if not can_judge_level(run, ref) or good_accuracy(run):
        return False
    te = run.train_loss_epochs()
    if not te or len(te[1]) < 3:
        return False
    ys = te[1]
    if len(finite(ys)) != len(ys):
        return False
    end = tail_level(ys)
    # High (≥ 2× what healthy runs of the same data and model family reach) and no progress after the first epochs
    # (measured from the second evaluation: a first epoch's mean still holds the descent from the initialisation).
    start = ys[1] if len(ys) >= 4 else ys[0]
    if not high_level(run, end, ref, 2) or (start - end) / start >= 0.2:
        return False
    ve = run.val_loss_epochs()
    if ve and finite(ve[1]):
        vend = tail_level(ve[1])
        if vend > 1.15 * end:
            return False
    # Flat at the end: a curve still declining steadily is a rate too low, not a model that cannot fit.
    shape = progress_shape(progress_curve(run) or [])
    return not (shape and still_improving(shape))


def constant_accuracies(run):
    """What predicting one class for every example scores: each class's share (the majority's, and for the others
    an even split of the rest), and 1/K. A model stuck on the minority class of circles scores 0.473, not 0.527."""
    out = {1.0 / run.K}
    if run.majority:
        out.add(run.majority)
        if run.K > 1:
            out.add((1 - run.majority) / (run.K - 1))
    return sorted(out)


def accuracy_tolerance(run, p, split):
    """0.03, or two standard errors of an accuracy p measured on that split's examples when that is wider (a
    validation set of 300 at p = 0.5: ±0.058)."""
    n = run.rec.get(f'{split}_size') or 0
    return max(0.03, 2 * math.sqrt(p * (1 - p) / n)) if n > 0 else 0.03


def check_stuck(run):
    chance_acc = run.chance_acc()
    cl = run.chance_loss()
    if chance_acc is None:
        return False
    split = 'val' if run.acc_epochs('val') else 'train'
    acc = run.acc_epochs(split)
    loss = run.val_loss_epochs() or run.train_loss_epochs()
    if acc and len(acc[1]) >= 4:
        a = med(acc[1][len(acc[1]) // 2:])
        if not any(abs(a - c) <= accuracy_tolerance(run, c, split) for c in constant_accuracies(run)):
            return False
    elif not loss or len(loss[1]) < 4:
        return False
    if loss and len(loss[1]) >= 4 and cl:
        l = med(loss[1][len(loss[1]) // 2:])
        if abs(l - cl) > 0.05 * cl:
            return False
    return True


def check_rising(run):
    ys = smoothed_train(run)
    if not ys or len(ys) < 8 or len(finite(ys)) != len(ys):
        return False
    n = len(ys)
    best = ys[0]
    start = -1
    ref_best = best
    longest = 0
    for i, v in enumerate(ys):
        if v >= 1.3 * best:
            if start < 0:
                start = i
                ref_best = best
        else:
            if start >= 0:
                longest = max(longest, i - start)
            start = -1
        if start < 0:
            best = min(best, v)
    if start >= 0:
        longest = max(longest, n - start)
    if longest < max(2, 0.15 * n):
        return False
    return tail_level(ys) <= 1.5 * min(ys)


def aligned_train_at(run, val_x):
    te = run.train_loss_epochs()
    if not te:
        return None
    m = dict(zip(te[0], te[1]))
    return [m.get(x, math.nan) for x in val_x]


def smoothed_val(ve):
    ys = ve[1]
    w = 5 if len(ys) >= 15 else 3
    return rolling_median(ys, w)


def check_overfitting(run):
    ve = run.val_loss_epochs()
    if not ve or len(ve[1]) < 5 or len(finite(ve[1])) != len(ve[1]):
        return False
    vs = smoothed_val(ve)
    n = len(vs)
    m = min(range(n), key=lambda i: vs[i])
    if m >= 0.6 * (n - 1):
        return False
    end = tail_level(vs, at_least=2)
    if end < 1.15 * vs[m]:
        return False
    tr = aligned_train_at(run, ve[0])
    if not tr or not math.isfinite(tr[m]):
        te = run.train_loss_epochs()
        if not te:
            return False
        tr_m = te[1][min(len(te[1]) - 1, m)]
        tr_end = tail_level(te[1])
    else:
        tr_m = tr[m]
        tr_end = tail_level(finite(tr))
    return tr_end <= 0.8 * tr_m


def check_gap(run):
    # On accuracy only, as the README says: a validation loss several times a training loss that fits the data is
    # ordinary (cross-entropy keeps falling on training examples already right), not a gap in what the model gets right.
    ta = run.acc_epochs('train')
    va = run.acc_epochs('val')
    if ta and va and len(ta[1]) >= 3 and len(va[1]) >= 3:
        return tail_level(ta[1]) - tail_level(va[1]) >= 0.1
    return False


def check_noisy_val(run):
    ve = run.val_loss_epochs()
    te = run.train_loss_epochs()
    if not ve or not te or len(ve[1]) < 6 or len(te[1]) < 6:
        return False
    vl, tl = log_pos(ve[1]), log_pos(te[1])
    if len(finite(vl)) != len(vl) or len(finite(tl)) != len(tl):
        return False
    # Point-to-point noise σ (relative: log scale), from second differences so the trend does not count.
    sv, st = robust_sigma_d2(vl), robust_sigma_d2(tl)
    return sv >= 0.08 and sv >= 3 * st


def check_val_better(run):
    ve = run.val_loss_epochs()
    if not ve or len(ve[1]) < 4:
        return False
    tr = aligned_train_at(run, ve[0])
    if not tr:
        return False
    n = len(ve[1])
    pairs = [(t, v) for t, v in zip(tr[n // 2:], ve[1][n // 2:]) if math.isfinite(t) and math.isfinite(v)]
    if len(pairs) < 3:
        return False
    return sum(1 for t, v in pairs if v < 0.8 * t) >= 0.8 * len(pairs)


def check_es_missing(run):
    ve = run.val_loss_epochs()
    if not ve or len(ve[1]) < 10 or len(finite(ve[1])) != len(ve[1]) or min(ve[1]) <= 0:
        return False
    vs = smoothed_val(ve)
    n = len(vs)
    m = min(range(n), key=lambda i: vs[i])
    # The best must be a real best: validation improved on its start by more than its noise (a curve flat at chance
    # from the first evaluation has no best worth stopping at).
    lv = log_pos(vs)
    sigma = robust_sigma_d2(log_pos(ve[1]))
    improved = med(lv[:3]) - lv[m] >= max(3 * sigma, 0.05)
    return improved and m / (n - 1) < 0.4 and (n - 1 - m) >= 0.5 * n


def check_bad_init(run):
    cl = run.chance_loss()
    if run.task != 'classification' or not run.K:
        return False
    s = run.train_loss_step
    if s and s.values and math.isfinite(s.values[0]):
        return s.values[0] >= 3 * math.log(run.K)
    # An epoch mean averages the collapse away: a first epoch whose mean is above what a uniform guess costs means the
    # model spent much of it worse than chance.
    te = run.train_loss_epochs()
    return bool(te) and math.isfinite(te[1][0]) and te[1][0] >= 1.5 * math.log(run.K)


def check_label_noise(run):
    if run.task != 'classification':
        return False
    ta = run.acc_epochs('train')
    va = run.acc_epochs('val')
    if ta and va and len(va[1]) >= 4:
        m = dict(zip(ta[0], ta[1]))
        n = len(va[1])
        d = [v - m[x] for x, v in zip(va[0][n // 2:], va[1][n // 2:]) if x in m and math.isfinite(m[x]) and math.isfinite(v)]
        if len(d) >= 2 and med(d) >= 0.15:
            return True
    ve = run.val_loss_epochs()
    if not ve or len(ve[1]) < 4:
        return False
    tr = aligned_train_at(run, ve[0])
    if not tr:
        return False
    n = len(ve[1])
    r = [t / v for t, v in zip(tr[n // 2:], ve[1][n // 2:]) if math.isfinite(t) and math.isfinite(v) and v > 0]
    return len(r) >= 2 and med(r) >= 2.5


def confirm(run: Run, ref):
    """The run's labels after subsumption; ['dropped'] when it is unusable."""
    total = sum(len(s.values) for s in run.series if s.key == 'loss')
    if total < 3:
        return ['dropped']
    checks = {
        'nan_loss': lambda: check_nan(run),
        'divergence': lambda: check_divergence(run),
        'lr_too_high': lambda: check_lr_too_high(run, ref),
        'oscillation': lambda: check_oscillation(run),
        'loss_spikes': lambda: check_spikes(run),
        'unshuffled_data': lambda: check_unshuffled(run),
        'lr_too_low': lambda: check_lr_too_low(run),
        'not_converged': lambda: check_not_converged(run),
        'slow_convergence': lambda: check_slow(run),
        'plateau': lambda: check_plateau(run, ref),
        'underfitting': lambda: check_underfitting(run, ref),
        'stuck_at_chance': lambda: check_stuck(run),
        'train_loss_rising': lambda: check_rising(run),
        'overfitting': lambda: check_overfitting(run),
        'generalization_gap': lambda: check_gap(run),
        'noisy_validation': lambda: check_noisy_val(run),
        'val_better_than_train': lambda: check_val_better(run),
        'early_stopping_missing': lambda: check_es_missing(run),
        'bad_initial_loss': lambda: check_bad_init(run),
        'label_noise': lambda: check_label_noise(run),
    }
    found = set()
    for label, fn in checks.items():
        try:
            if fn():
                found.add(label)
        except (ValueError, ZeroDivisionError, statistics.StatisticsError, IndexError, OverflowError) as e:
            print(f'confirm: {run.id}: check {label} failed: {e}', file=sys.stderr)
    for label in PRECEDENCE:
        if label in found:
            found -= SUBSUMES.get(label, set())
    return sorted(found) if found else ['healthy']


def reference_levels(runs, labels):
    """Median first and end training-loss level of the healthy runs, per (dataset, family) and per dataset."""
    by = defaultdict(lambda: {'first': [], 'end': []})
    for r in runs:
        if labels.get(r.id) != ['healthy']:
            continue
        te = r.train_loss_epochs()
        if not te or len(te[1]) < 3 or len(finite(te[1])) != len(te[1]):
            continue
        for key in ((r.row.get('dataset'), r.row.get('family')), (r.row.get('dataset'), None)):
            by[key]['first'].append(te[1][0])
            by[key]['end'].append(tail_level(te[1]))
    out = {}
    for key, v in by.items():
        if len(v['end']) >= 2:
            out[key] = {'first': statistics.median(v['first']), 'end': statistics.median(v['end'])}
    return out


def ref_for(run, refs):
    return refs.get((run.row.get('dataset'), run.row.get('family'))) or refs.get((run.row.get('dataset'), None))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), 'out'))
    ap.add_argument('--manifest', default=os.path.join(os.path.dirname(__file__), 'manifest.tsv'))
    args = ap.parse_args()
    rows = {}
    tsv = os.path.join(args.out, 'runs.tsv')
    if os.path.exists(tsv):
        with open(tsv, newline='') as f:
            for row in csv.DictReader(f, delimiter='\t'):
                rows[row['id']] = row
    runs = []
    runs_dir = os.path.join(args.out, 'runs')
    for rid in sorted(os.listdir(runs_dir)) if os.path.isdir(runs_dir) else []:
        p = os.path.join(runs_dir, rid, 'record.json')
        if not os.path.exists(p):
            continue
        with open(p) as f:
            rec = json.load(f)
        row = dict(rows.get(rid) or {})
        cfg = rec.get('config') or {}
        for k in ('dataset', 'family', 'intended', 'cause', 'framework', 'split', 'format', 'log', 'optimizer', 'lr', 'batch',
                  'schedule', 'epochs', 'cadence', 'has_val', 'seed', 'sha256'):
            if not row.get(k):
                v = rec.get(k, cfg.get(k, cfg.get('log_file') if k == 'log' else ''))
                row[k] = '' if v is None else v
        runs.append(Run(rid, rec, row))
    # Pass 1 without the checks that need a healthy reference; pass 2 with the references from pass 1's healthy runs.
    first = {r.id: confirm(r, None) for r in runs}
    refs = reference_levels(runs, first)
    labels = {r.id: confirm(r, ref_for(r, refs)) for r in runs}
    cols = ['id', 'split', 'intended', 'labels', 'cause', 'framework', 'format', 'dataset', 'family', 'optimizer', 'lr',
            'batch', 'schedule', 'epochs', 'cadence', 'has_val', 'log', 'seed', 'sha256']
    with open(args.manifest, 'w', newline='') as f:
        w = csv.writer(f, delimiter='\t', lineterminator='\n')
        w.writerow(cols)
        for r in runs:
            row = dict(r.row)
            row['id'] = r.id
            row['labels'] = ','.join(labels[r.id])
            w.writerow([row.get(c, '') for c in cols])
    # Report: intended x confirmed.
    table = defaultdict(Counter)
    for r in runs:
        table[r.row.get('intended', '?')][','.join(labels[r.id])] += 1
    print(f'confirmed {len(runs)} runs → {args.manifest}')
    shown = Counter()
    for intended in sorted(table):
        c = table[intended]
        total = sum(c.values())
        same = sum(v for k, v in c.items() if intended in k.split(','))
        shown[intended] = same
        top = ', '.join(f'{k} {v}' for k, v in c.most_common(5))
        print(f'  {intended:24s} {total:5d} runs, {same:5d} confirmed ({100 * same / total:.0f} %); {top}')
    per_label = Counter(l for ls in labels.values() for l in ls)
    print('confirmed label counts: ' + ', '.join(f'{l} {per_label[l]}' for l in LABELS + ['dropped'] if per_label[l]))


if __name__ == '__main__':
    main()
