import type { RunLog } from '../domain/run.ts';
import { IngestError } from './ingest-error.ts';
import type { FormatParser } from './parser.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';
import { SeriesBuilder } from './series-builder.ts';

const NUMBER = /^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|[-+]?nan|[-+]?inf(?:inity)?)$/i;
/** Longest argparse Namespace line read for hyperparameters. */
const MAX_NAMESPACE_CHARS = 64 * 1024;
/** Fields that time the loop rather than measure the model. */
const TIMING = /^(ms\/batch|time|elapsed|s\/batch|sec\/batch|it\/s)$/i;
const TUTORIAL = /^\s*Epoch\s*\[(\d+)\s*\/\s*(\d+)\]\s*,\s*Step\s*\[(\d+)\s*\/\s*(\d+)\]\s*,\s*(.*)$/i;

/**
 * Plain-text logs of PyTorch example scripts: word_language_model's
 * `| epoch   1 |   200/ 2983 batches | lr 20.00 | ms/batch 11.75 | loss  5.21 | ppl 183.4`,
 * `| end of epoch   1 | time: 35.61s | valid loss  5.53 | valid ppl 252.1` and `| End of training | test loss …`, and the
 * tutorials' `Epoch [1/5], Step [100/600], Loss: 0.2245`. Batch lines become step-level points (global step =
 * (epoch-1)·batches + batch); end-of-epoch lines epoch-level ones; the end-of-training test line one final point.
 */
export const pytorchTextParser: FormatParser = {
  format: 'pytorch_text',

  sniff(text: string): boolean {
    // [ \t] rather than \s under /m, so no match attempt runs across line breaks.
    return /^\|[ \t]*(epoch[ \t]+\d+|end of epoch[ \t]+\d+)[ \t]*\|/im.test(text) || /^[ \t]*Epoch[ \t]*\[\d+[ \t]*\/[ \t]*\d+\][ \t]*,[ \t]*Step[ \t]*\[\d+[ \t]*\/[ \t]*\d+\][ \t]*,[ \t]*\w/im.test(text);
  },

  parse(text: string, fileName: string): RunLog[] {
    const builder = new SeriesBuilder();
    const notes: string[] = [];
    const meta: Record<string, unknown> = { framework: 'pytorch' };
    const lines = text.split(/\r\n|\n|\r/);
    let batches = 0;
    let lastStep = NaN;
    let lastEpoch = NaN;
    let points = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line.startsWith('Namespace(') && meta.args === undefined && line.length <= MAX_NAMESPACE_CHARS) {
        meta.args = parseNamespace(line);
        continue;
      }
      const tut = TUTORIAL.exec(line);
      if (tut) {
        const [e, , s, ns] = [Number(tut[1]), Number(tut[2]), Number(tut[3]), Number(tut[4])];
        const step = (e - 1) * ns + s;
        for (const part of tut[5]!.split(/,\s*/)) {
          const f = parseField(part);
          if (!f) continue;
          builder.add(f[0], step, f[1], e - 1 + s / ns, NaN, 'step');
          points++;
        }
        lastStep = step;
        lastEpoch = e;
        continue;
      }
      if (!line.startsWith('|')) continue;
      const fields = line.split('|').map((f) => f.trim()).filter((f) => f !== '');
      if (fields.length === 0) continue;
      let kind: 'batch' | 'epoch' | 'final' | null = null;
      let epoch = NaN;
      let batch = NaN;
      const metrics: Array<[string, number]> = [];
      for (const f of fields) {
        let m: RegExpExecArray | null;
        if ((m = /^end of epoch\s+(\d+)$/i.exec(f))) { kind = 'epoch'; epoch = Number(m[1]); continue; }
        if (/^end of training$/i.test(f)) { kind = 'final'; continue; }
        if ((m = /^epoch\s+(\d+)$/i.exec(f))) { kind = 'batch'; epoch = Number(m[1]); continue; }
        if ((m = /^(\d+)\s*\/\s*(\d+)\s+batches$/i.exec(f))) { batch = Number(m[1]); batches = Number(m[2]); continue; }
        const v = parseField(f);
        if (v) metrics.push(v);
      }
      if (!kind || metrics.length === 0) continue;
      if (kind === 'batch') {
        const step = Number.isNaN(batch) ? epoch : (epoch - 1) * (batches || 1) + batch;
        const ep = Number.isNaN(batch) || !batches ? epoch : epoch - 1 + batch / batches;
        for (const [name, value] of metrics) builder.add(name, step, value, ep, NaN, 'step');
        lastStep = step;
        lastEpoch = epoch;
      } else if (kind === 'epoch') {
        const step = batches ? epoch * batches : epoch;
        // A train metric at epoch end would share its name with the batch-level series: the suffix keeps them apart.
        for (const [name, value] of metrics) builder.add(/^(valid|val|validation|test|eval)_/.test(name) ? name : `${name}_epoch`, step, value, epoch, NaN, 'epoch');
        lastStep = step;
        lastEpoch = epoch;
      } else {
        for (const [name, value] of metrics) builder.add(name, Number.isNaN(lastStep) ? 0 : lastStep, value, lastEpoch, NaN, 'epoch');
        notes.push(`end-of-training line (${metrics.map(([n]) => n).join(', ')}) read as one final point`);
      }
      points += metrics.length;
    }
    if (points === 0) {
      throw new IngestError({ file: fileName, line: 1, reason: 'no metrics found: expected lines like "| epoch 1 | 200/2983 batches | lr 20.0 | loss 5.21 |"' });
    }
    const series = builder.build('step', notes);
    return [{ name: runNameFromFileName(fileName), format: 'pytorch_text', series, notes, meta }];
  },
};

/**
 * `name value`, `name: value` or `name=value` (a trailing `s` of seconds allowed) → [raw name, value], or null for
 * fields that are not measurements (timing, words). Split by hand: a regex with competing quantifiers over the
 * name's spaces backtracks cubically on a long field.
 */
function parseField(field: string): [string, number] | null {
  const t = field.trim();
  let i = t.length - 1;
  while (i >= 0 && t[i] !== ' ' && t[i] !== '\t' && t[i] !== ':' && t[i] !== '=') i--;
  if (i <= 0) return null;
  const token = t.slice(i + 1).replace(/s$/, '');
  const name = t.slice(0, i).trim().replace(/[:=]$/, '').trim();
  if (!NUMBER.test(token) || !/^[A-Za-z]/.test(name) || TIMING.test(name)) return null;
  return [rawName(name), toNumber(token)];
}

function rawName(words: string): string {
  return words.trim().toLowerCase().replace(/\s+/g, '_');
}

function toNumber(s: string): number {
  const t = s.toLowerCase().replace(/^\+/, '');
  if (/^[-]?nan$/.test(t)) return NaN;
  if (/^inf(inity)?$/.test(t)) return Infinity;
  if (/^-inf(inity)?$/.test(t)) return -Infinity;
  return Number(t);
}

/** `Namespace(lr=20, model='RNN_RELU', cuda=True)` (argparse) → { lr: 20, model: 'RNN_RELU', cuda: true }. */
function parseNamespace(line: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of line.matchAll(/(\w+)=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^,()]+)/g)) {
    const raw = m[2]!.trim();
    if (/^['"]/.test(raw)) out[m[1]!] = raw.slice(1, -1);
    else if (raw === 'True' || raw === 'False') out[m[1]!] = raw === 'True';
    else if (raw === 'None') out[m[1]!] = null;
    else if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw)) out[m[1]!] = Number(raw);
    else out[m[1]!] = raw;
  }
  return out;
}
