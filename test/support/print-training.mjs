#!/usr/bin/env node
/**
 * A stand-in for a training script, run as a real child process by the `runmedic watch` tests: it prints what a
 * training loop of one style prints, with delays, to stdout.
 *
 *   node print-training.mjs STYLE [--epochs N] [--fault nan|diverge] [--fault-epoch K] [--epoch-ms MS] [--gate FILE] [--crash]
 *     STYLE: keras (Keras 3 fit verbose 1: bars redrawn with \r and \b, ANSI colours), torch (a PyTorch loop's print),
 *     tqdm (a tqdm bar per epoch with the metrics in its postfix), hf (the transformers Trainer's log dicts).
 *     After printing the faulty epoch it waits for FILE to exist (at most 30 s) before printing the next one, so a
 *     test can tell that what it expects happened within that epoch. --crash ends with a Python traceback.
 *   node print-training.mjs replay FILE [--line-ms MS]
 *     Replays a captured console output: each line after MS, each \r redraw of a line as it came.
 */
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const write = (s) => new Promise((r) => (process.stdout.write(s) ? r() : process.stdout.once('drain', r)));

async function replay(file, lineMs) {
  const text = readFileSync(file);
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === 10 || c === 13) {
      await write(text.subarray(start, i + 1));
      start = i + 1;
      if (c === 10) await sleep(lineMs);
    }
  }
  if (start < text.length) await write(text.subarray(start));
}

async function train(style) {
  const epochs = Number(opt('epochs', '8'));
  const fault = opt('fault', 'none');
  const faultEpoch = Number(opt('fault-epoch', '5'));
  const epochMs = Number(opt('epoch-ms', '150'));
  const gate = opt('gate', '');
  const batches = 8;
  const f = (x) => x.toFixed(4);
  // A healthy run: losses falling towards 0.3, accuracy rising; from the faulty epoch on, NaN or a loss 30× higher.
  const at = (t) => {
    const healthy = { loss: 0.3 + 0.6 * Math.exp(-t / 2.5), val: 0.35 + 0.6 * Math.exp(-t / 2.5), acc: 0.95 - 0.45 * Math.exp(-t / 2.5) };
    if (t <= faultEpoch - 1 || fault === "none") return healthy;
    if (fault === 'nan') return { loss: NaN, val: NaN, acc: 0.1 };
    const k = 30 * (1 + (t - faultEpoch + 1));
    return { loss: healthy.loss * k, val: healthy.val * k, acc: 0.1 };
  };
  const num = (x) => (Number.isNaN(x) ? 'nan' : f(x));
  if (style === 'torch') await write('Training MLP on 256 samples (cpu)\n');
  if (style === 'hf') await write("***** Running training *****\n  Num examples = 2,560\n  Num Epochs = " + epochs + '\n');
  for (let e = 1; e <= epochs; e++) {
    const end = at(e);
    if (style === 'keras') {
      await write(`Epoch ${e}/${epochs}\r\n`);
      for (let b = 1; b < batches; b++) {
        const m = at(e - 1 + b / batches);
        await write(`\r\x1b[1m ${b}/${batches}\x1b[0m \x1b[32m${'━'.repeat(b * 2)}\x1b[0m\x1b[37m${'━'.repeat(20 - b * 2)}\x1b[0m \x1b[1m0s\x1b[0m 9ms/step - accuracy: ${num(m.acc)} - loss: ${num(m.loss)}${'\b'.repeat(30)}`);
        await sleep(epochMs / batches);
      }
      await write(`\r\x1b[1m${batches}/${batches}\x1b[0m \x1b[32m${'━'.repeat(20)}\x1b[0m\x1b[37m\x1b[0m \x1b[1m0s\x1b[0m 12ms/step - accuracy: ${num(end.acc)} - loss: ${num(end.loss)} - val_accuracy: ${num(end.acc - 0.02)} - val_loss: ${num(end.val)}\r\n`);
    } else if (style === 'torch') {
      await sleep(epochMs);
      await write(`Epoch ${e}/${epochs} - train loss: ${num(end.loss)} - val loss: ${num(end.val)} - val acc: ${(100 * end.acc).toFixed(2)}%\n`);
    } else if (style === 'tqdm') {
      for (let b = 0; b <= batches; b++) {
        const m = at(e - 1 + b / batches);
        const pct = String(Math.round((100 * b) / batches)).padStart(3);
        const bar = '█'.repeat(b) + ' '.repeat(batches - b);
        const post = b === batches ? `loss=${num(end.loss)}, val_acc=${end.acc.toFixed(3)}, val_loss=${num(end.val)}` : `loss=${num(m.loss)}`;
        await write(`\rEpoch ${e}/${epochs}: ${pct}%|${bar}| ${b}/${batches} [00:00<00:00, 40.1it/s, ${post}]`);
        if (b < batches) await sleep(epochMs / batches);
      }
      await write('\n');
    } else if (style === 'hf') {
      for (const half of [0.5, 1]) {
        await sleep(epochMs / 2);
        const m = at(e - 1 + half);
        const lr = 0.005 * (1 - (e - 1 + half) / (epochs + 1));
        await write(`{'loss': '${num(m.loss)}', 'grad_norm': '${f(0.8 + 0.1 * Math.sin(e + half))}', 'learning_rate': '${lr.toPrecision(4)}', 'epoch': '${e - 1 + half}'}\n`);
      }
      await write(`{'eval_loss': '${num(end.val)}', 'eval_runtime': '0.0827', 'eval_samples_per_second': '580.2', 'eval_steps_per_second': '72.52', 'epoch': '${e}'}\n`);
    } else throw new Error(`unknown style ${style}`);
    if (e === faultEpoch && gate) {
      const until = Date.now() + 30_000;
      while (!existsSync(gate) && Date.now() < until) await sleep(20);
    }
  }
  if (args.includes('--crash')) {
    await write('Traceback (most recent call last):\n  File "train.py", line 41, in <module>\n    loss.backward()\nRuntimeError: CUDA error: an illegal memory access was encountered\n');
    process.exitCode = 1;
  }
}

const [style, file] = args;
if (style === 'replay') await replay(file, Number(opt('line-ms', '20')));
else await train(style);
