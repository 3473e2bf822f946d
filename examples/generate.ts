/**
 * Writes the example logs in this folder: `npx tsx examples/generate.ts`.
 * They are synthetic (our own making, no licence questions) but shaped like what the frameworks write: the same
 * columns, key order, cadences, number formatting and quirks, with seeded noise so regenerating gives the same bytes.
 * Each tells one story for the README demo: healthy, overfitting, diverging, not converged.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../src/jobs/rng.ts';

/** Uniform in [0, 1) from the project's seeded mulberry32, so the examples are the same on every machine. */
const rng = (seed: number): (() => number) => createRng(seed).next;

/** Standard normal noise from a uniform source (Box–Muller). */
function gauss(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const r = (x: number, digits = 6) => Number(x.toFixed(digits));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Keras CSVLogger, 30 epochs of a small CNN that trains well: both losses fall and level off together. */
function kerasHealthyCsv(): string {
  const n = gauss(rng(1));
  const rows = ['epoch,accuracy,learning_rate,loss,val_accuracy,val_loss'];
  for (let e = 0; e < 30; e++) {
    const lr = e < 20 ? 0.001 : 0.0005; // ReduceLROnPlateau halved it
    const loss = 0.21 + 1.95 * Math.exp(-e / 3.5) + 0.012 * n();
    const valLoss = 0.26 + 1.8 * Math.exp(-e / 3.6) + 0.018 * n();
    const acc = clamp(0.945 - 0.72 * Math.exp(-e / 3.2) + 0.004 * n(), 0, 1);
    const valAcc = clamp(0.93 - 0.7 * Math.exp(-e / 3.4) + 0.007 * n(), 0, 1);
    rows.push([e, r(acc), lr, r(loss), r(valAcc), r(valLoss)].join(','));
  }
  return rows.join('\n') + '\n';
}

/** Hugging Face Trainer, 8 epochs fine-tuning a classifier: train loss keeps falling, eval loss bottoms out at epoch 2. */
function hfOverfittingTrainerState(): string {
  const n = gauss(rng(2));
  const stepsPerEpoch = 500;
  const epochs = 8;
  const maxSteps = stepsPerEpoch * epochs;
  const logHistory: Array<Record<string, number>> = [];
  let trainLossSum = 0;
  let trainLossCount = 0;
  let best = { loss: Infinity, step: 0 };
  for (let step = 50; step <= maxSteps; step += 50) {
    const t = step / stepsPerEpoch;
    const warm = Math.min(1, step / 200);
    const lr = 5e-5 * warm * (1 - step / maxSteps);
    const loss = Math.max(0.004, 0.02 + 0.68 * Math.exp(-t / 0.9) + 0.03 * Math.exp(-t / 4) * n());
    trainLossSum += loss;
    trainLossCount++;
    logHistory.push({ epoch: r(t, 2), grad_norm: r(Math.abs(2.5 * Math.exp(-t / 3) + 0.6 * n()) + 0.3, 4), learning_rate: lr, loss: r(loss, 4), step });
    if (step % stepsPerEpoch === 0) {
      const evalLoss = 0.34 + 0.05 * (t - 2) ** 2 * (t < 2 ? 1.8 : 0.3) + 0.008 * n();
      const evalAcc = clamp(0.885 - 0.004 * Math.max(0, t - 2) - 0.06 * Math.exp(-t) + 0.003 * n(), 0, 1);
      if (evalLoss < best.loss) best = { loss: evalLoss, step };
      logHistory.push({
        epoch: t,
        eval_accuracy: r(evalAcc, 4),
        eval_loss: r(evalLoss, 4),
        eval_runtime: r(11.8 + 0.4 * n(), 4),
        eval_samples_per_second: r(423.1 + 9 * n(), 3),
        eval_steps_per_second: r(52.9 + 1.1 * n(), 3),
        step,
      });
    }
  }
  // The Trainer's closing summary entry: not a data point.
  logHistory.push({
    epoch: epochs,
    step: maxSteps,
    total_flos: 8.4213327872e15,
    train_loss: r(trainLossSum / trainLossCount, 4),
    train_runtime: 1392.7781,
    train_samples_per_second: 45.953,
    train_steps_per_second: 2.872,
  });
  const state = {
    best_metric: r(best.loss, 4),
    best_model_checkpoint: `out/bert-base-sst2/checkpoint-${best.step}`,
    epoch: epochs,
    eval_steps: stepsPerEpoch,
    global_step: maxSteps,
    is_hyper_param_search: false,
    is_local_process_zero: true,
    is_world_process_zero: true,
    log_history: logHistory,
    logging_steps: 50,
    max_steps: maxSteps,
    num_input_tokens_seen: 0,
    num_train_epochs: epochs,
    save_steps: stepsPerEpoch,
    total_flos: 8.4213327872e15,
    train_batch_size: 16,
    trial_name: null,
    trial_params: null,
  };
  return JSON.stringify(state, null, 2) + '\n';
}

/**
 * PyTorch Lightning CSVLogger with a LearningRateMonitor, learning rate too high: the loss falls for four epochs,
 * then climbs and blows up to inf and nan in epoch 7, when the run was stopped.
 */
function lightningDivergingCsv(): string {
  const n = gauss(rng(3));
  const rows = ['epoch,lr-Adam,step,train_loss_epoch,train_loss_step,val_acc,val_loss'];
  const stepsPerEpoch = 200;
  const lossAt = (t: number) => {
    if (t < 4) return 1.05 * Math.exp(-t / 2.2) + 0.45;
    return (1.05 * Math.exp(-4 / 2.2) + 0.45) * Math.exp(0.9 * (t - 4) ** 1.6);
  };
  const fmt = (v: number) => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : String(r(v, 5)));
  for (let epoch = 0; epoch < 8; epoch++) {
    let sum = 0;
    let count = 0;
    for (let s = 49; s < stepsPerEpoch; s += 50) {
      const step = epoch * stepsPerEpoch + s;
      const t = step / stepsPerEpoch;
      let loss = lossAt(t) * (1 + 0.06 * n());
      if (t > 7.3) loss = Number.NaN;
      else if (t > 7.05) loss = Infinity;
      sum += loss;
      count++;
      rows.push(`,0.003,${step},,,,`);
      rows.push(`${epoch},,${step},,${fmt(loss)},,`);
    }
    const last = epoch * stepsPerEpoch + stepsPerEpoch - 1;
    const valLoss = lossAt(epoch + 1) * (1.08 + 0.04 * n());
    const valAcc = Number.isFinite(valLoss) && valLoss < 50 ? clamp(0.93 - 0.42 * Math.tanh(valLoss - 0.5) + 0.01 * n(), 0.1, 1) : 0.1;
    rows.push(`${epoch},,${last},,,${fmt(r(valAcc, 4))},${fmt(epoch >= 7 ? NaN : valLoss)}`);
    rows.push(`${epoch},,${last},${fmt(sum / count)},,,`);
  }
  return rows.join('\n') + '\n';
}

/** Keras `history.history` dumped with json.dump after 12 epochs at a small learning rate: still improving fast when it stopped. */
function kerasNotConvergedHistory(): string {
  const n = gauss(rng(4));
  const h: Record<string, number[]> = { loss: [], accuracy: [], val_loss: [], val_accuracy: [] };
  for (let e = 0; e < 12; e++) {
    h.loss!.push(r(2.28 - 0.115 * e + 0.0012 * e * e + 0.01 * n(), 6));
    h.accuracy!.push(r(clamp(0.14 + 0.038 * e + 0.006 * n(), 0, 1), 6));
    h.val_loss!.push(r(2.25 - 0.11 * e + 0.0011 * e * e + 0.015 * n(), 6));
    h.val_accuracy!.push(r(clamp(0.15 + 0.036 * e + 0.009 * n(), 0, 1), 6));
  }
  return JSON.stringify(h) + '\n';
}

export function generateExamples(): Record<string, string> {
  return {
    'keras-healthy.csv': kerasHealthyCsv(),
    'hf-overfitting-trainer_state.json': hfOverfittingTrainerState(),
    'lightning-diverging-metrics.csv': lightningDivergingCsv(),
    'keras-not-converged-history.json': kerasNotConvergedHistory(),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const [name, text] of Object.entries(generateExamples())) {
    writeFileSync(path.join(dir, name), text);
    console.log(`wrote examples/${name} (${text.length} bytes)`);
  }
}
