/** Hand-made runs and verdicts for chart tests: small, deterministic, shaped like the real failures. */
import type { Cadence, Direction, Series, Split } from '../../src/domain/run.ts';
import type { Verdict, VerdictItem } from '../../src/domain/verdict.ts';
import type { ChartRun } from '../../src/charts/run-chart.ts';
import { createRng } from '../../src/jobs/rng.ts';

export function series(
  key: string,
  split: Split,
  values: ArrayLike<number>,
  opts: { cadence?: Cadence; steps?: ArrayLike<number>; epochs?: ArrayLike<number> | null; name?: string; direction?: Direction } = {},
): Series {
  const n = values.length;
  const steps = opts.steps ? Float64Array.from(opts.steps) : Float64Array.from({ length: n }, (_, i) => i);
  return {
    key,
    split,
    name: opts.name ?? (split === 'train' ? key : `${split}_${key}`),
    direction: opts.direction ?? (key === 'accuracy' ? 'higher' : 'lower'),
    cadence: opts.cadence ?? 'epoch',
    steps,
    epochs: opts.epochs === undefined || opts.epochs === null ? null : Float64Array.from(opts.epochs),
    wallTimes: null,
    values: Float64Array.from(values),
  };
}

/** A deterministic uniform [0, 1) source (the jobs' seeded mulberry32), so noisy fixtures are the same every run. */
export function rng(seed: number): () => number {
  return createRng(seed).next;
}

/** 30 epochs: train loss falls, val loss bottoms at epoch 12 then rises; accuracies to match; lr steps down. */
export function overfittingRun(): ChartRun {
  const epochs = 30;
  const r = rng(1);
  const loss = Array.from({ length: epochs }, (_, e) => 1.2 * Math.exp(-e / 8) + 0.1 + 0.01 * r());
  const valLoss = Array.from({ length: epochs }, (_, e) => 0.5 + 0.6 * Math.exp(-e / 4) + 0.0012 * Math.max(0, e - 12) ** 2 + 0.01 * r());
  const acc = loss.map((l) => 1 - l / 2);
  const valAcc = valLoss.map((l) => 0.95 - l / 3);
  const lr = Array.from({ length: epochs }, (_, e) => (e < 15 ? 1e-3 : e < 25 ? 1e-4 : 1e-5));
  return {
    name: 'cnn-cifar10-overfit',
    series: [
      series('loss', 'train', loss),
      series('loss', 'val', valLoss),
      series('accuracy', 'train', acc),
      series('accuracy', 'val', valAcc),
      series('lr', 'train', lr),
    ],
  };
}

export function item(partial: Partial<VerdictItem> & Pick<VerdictItem, 'id' | 'status'>): VerdictItem {
  return { area: 'generalization', title: partial.id, evidence: {}, fix: '', marks: [], ...partial };
}

export function verdictOf(run: ChartRun, items: VerdictItem[]): Verdict {
  const rank = { fail: 3, warn: 2, unknown: 1, pass: 0 } as const;
  const worst = items.reduce((w, i) => (rank[i.status] > rank[w] ? i.status : w), 'pass' as VerdictItem['status']);
  return {
    run: { id: 'r1', name: run.name, format: 'keras_csv', points: 0, epochs: null },
    status: worst === 'fail' ? 'fail' : worst === 'warn' ? 'warn' : 'pass',
    items,
  };
}

export function overfittingVerdict(run: ChartRun): Verdict {
  return verdictOf(run, [
    item({
      id: 'overfitting',
      status: 'fail',
      title: 'Validation loss rises after epoch 12 while training loss keeps falling',
      marks: [
        { series: 'val_loss', step: 12, label: 'overfitting starts' },
        { series: 'val_loss', step: 12, label: 'best val loss', kind: 'point', value: run.series[1]!.values[12] },
      ],
    }),
    item({
      id: 'early_stopping_missing',
      status: 'warn',
      area: 'training',
      title: 'Early stopping (patience 3) would have stopped at epoch 15',
      marks: [{ series: 'val_loss', step: 15, toStep: 29, label: 'early stopping would stop here', kind: 'band' }],
    }),
  ]);
}

/** A step-level run of n points: noisy loss falling over 3 decades, a spike, NaN at the end, epochs fractional. */
export function noisyStepRun(n: number, opts: { nanFrom?: number } = {}): ChartRun {
  const r = rng(7);
  const steps = new Float64Array(n);
  const epochs = new Float64Array(n);
  const loss = new Float64Array(n);
  const lr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = i * 10;
    epochs[i] = (i / n) * 3;
    loss[i] = 5 * Math.exp(-i / (n / 8)) + 0.003 + 0.002 * r() + 0.05 * Math.exp(-i / (n / 8)) * r();
    lr[i] = 1e-3 * (1 - i / n);
  }
  const spike = Math.floor(n * 0.6);
  loss[spike] = 40;
  if (opts.nanFrom !== undefined) for (let i = opts.nanFrom; i < n; i++) loss[i] = NaN;
  return {
    name: 'bert-finetune-steps',
    series: [
      series('loss', 'train', loss, { cadence: 'step', steps, epochs }),
      series('lr', 'train', lr, { cadence: 'step', steps, epochs }),
    ],
  };
}
