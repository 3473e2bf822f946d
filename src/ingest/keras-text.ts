import type { RunLog } from '../domain/run.ts';
import { IngestError } from './ingest-error.ts';
import type { FormatParser } from './parser.ts';
import { runNameFromFileName } from './run-name-from-file-name.ts';
import { SeriesBuilder } from './series-builder.ts';

const EPOCH_LINE = /^\s*Epoch (\d+)\/(\d+)\s*$/;
// [ \t], not \s: with /m, \s* would run across line breaks from every line start (quadratic on blank lines).
const EPOCH_LINE_M = /^[ \t]*Epoch \d+\/\d+[ \t]*\r?$/m;
/** `name: value` pairs of a progress line; `ETA: 3s` and `5s 2ms/step` do not match (a unit follows the number). */
const METRIC = /(?:^|\s)([A-Za-z_][\w./-]*):[ \t]*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|[-+]?nan|[-+]?inf(?:inity)?)(?=\s|$)/gi;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** Keras joins its metrics with ` - ` (`… 2ms/step - loss: 0.41 - accuracy: 0.86`); `Test loss: 0.56` is a print. */
const KERAS_PAIR = /(?:^|\s)-\s+[A-Za-z_][\w./-]*(?: [A-Za-z_][\w./-]*){0,3}:[ \t]*[-+.\dni]/i;
/** A progress line's `n/N` at its start. */
const BAR_COUNT = /^\s*\d+\/(\d+)\b/;

/**
 * Console output of Keras `model.fit()`: `Epoch 3/20` lines, each followed by progress lines
 * `1875/1875 [====] - 5s 2ms/step - loss: 0.41 - accuracy: 0.86 - val_loss: …` (Keras 3 draws the bar with ━).
 * Progress bars rewritten with \r or \b leave many partial lines per epoch: the last one before the next `Epoch` line
 * holds the epoch's final metrics. Epochs are 1-based as printed. `Epoch 1/…` again after later epochs starts a new run.
 * What follows the last epoch is not its state: `model.evaluate()`'s bar (another `n/N`, no `val_` metrics once the
 * epoch had them) and the script's own prints (`Test loss: 0.56`, no ` - ` between Keras' pairs).
 */
export const kerasTextParser: FormatParser = {
  format: 'keras_text',

  sniff(text: string): boolean {
    return EPOCH_LINE_M.test(text) && /\sloss:\s*\S/.test(text);
  },

  parse(text: string, fileName: string): RunLog[] {
    const lines = text.replace(ANSI, '').replace(/\x08+/g, '\r').split(/\r\n|\n|\r/);
    const base = runNameFromFileName(fileName);
    const runs: RunLog[] = [];
    let builder = new SeriesBuilder();
    let notes: string[] = [];
    let epoch = -1;
    let total = 0;
    /** The epoch's bar: its `N`, and whether its state had validation metrics. */
    let barTotal = '';
    let validated = false;
    let lastLine = '';
    let lastLineNo = 0;
    let prevEpoch = -1;
    let emptyEpochs = 0;
    const flushEpoch = () => {
      if (epoch < 0) return;
      if (!lastLine) {
        emptyEpochs++;
        return;
      }
      for (const m of lastLine.matchAll(METRIC)) {
        const name = m[1]!;
        if (/^eta$/i.test(name)) continue;
        const value = Number(m[2]!.replace(/^\+/, '').replace(/^([-]?)inf(inity)?$/i, '$1Infinity').replace(/^[-+]?nan$/i, 'NaN'));
        builder.add(name, epoch, value, epoch, NaN, 'epoch');
      }
      lastLine = '';
    };
    const flushRun = () => {
      if (emptyEpochs > 0) notes.push(`${emptyEpochs} epoch(s) printed no metrics line (interrupted?)`);
      const series = builder.build('epoch', notes);
      if (series.length > 0) {
        runs.push({ name: runs.length === 0 ? base : `${base} (run ${runs.length + 1})`, format: 'keras_text', series, notes, meta: { framework: 'keras', epochsPlanned: total } });
      }
      builder = new SeriesBuilder();
      notes = [];
      emptyEpochs = 0;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const m = EPOCH_LINE.exec(line);
      if (m) {
        flushEpoch();
        const e = Number(m[1]);
        if (prevEpoch >= 0 && e <= prevEpoch && e === 1) {
          flushRun();
          notes.push(`fit() started again at line ${i + 1}: read as run ${runs.length + 1}`);
        }
        epoch = e;
        prevEpoch = e;
        total = Number(m[2]);
        barTotal = '';
        validated = false;
        continue;
      }
      if (epoch >= 0 && /\sloss:\s*\S/.test(' ' + line) && METRIC.test(line) && KERAS_PAIR.test(line)) {
        METRIC.lastIndex = 0;
        const count = BAR_COUNT.exec(line)?.[1] ?? '';
        const hasVal = /(?:^|\s)val_[\w./-]*:/.test(line);
        // Another bar (evaluate's), or a state without the validation the epoch's state already had: not this epoch's.
        if ((count && barTotal && count !== barTotal) || (validated && !hasVal)) continue;
        if (count && !barTotal) barTotal = count;
        if (hasVal) validated = true;
        lastLine = line;
        lastLineNo = i + 1;
      }
      METRIC.lastIndex = 0;
    }
    flushEpoch();
    flushRun();
    if (runs.length === 0) {
      throw new IngestError({ file: fileName, line: lastLineNo || 1, reason: 'no metrics found: expected lines like "Epoch 1/10" followed by "... - loss: 0.41 - accuracy: 0.86"' });
    }
    return runs;
  },
};
