/**
 * The loss a script prints as the sum of its terms. Detection and YOLO scripts print the terms of their loss under a
 * group label and their sum under a word that is no metric name: `[Losses: x 0.27, y 0.25, w 4.8, h 4.6, conf 4.4,
 * cls 0.82, total 15.1, recall: 0.0, precision: 0.0]` (eriklindernoren's YOLOv3), or with no label at all
 * `[epoch: 1/200, iter: 25/489] total: 1.59`. Read by their words alone, `total` is a count as often as a loss
 * (`total: 489 samples`), so the names are settled here from their context, not in the context-free normaliser
 * (`metric-names.ts`):
 * - a term of a group labelled `Loss:`/`Losses:` is a part of the loss (`x` → `loss_x`), its sum (`total`, `sum`,
 *   `overall`, `all`) the loss itself; measures that are no loss (`recall`, `precision`, `acc`, `lr`) keep their names;
 * - with no such label, a series named `total` is the loss only when the run has no other loss and its values are
 *   not counts (whole numbers) or percentages, and the run's notes say so.
 */
import type { Series } from '../../domain/run.ts';
import type { Token } from './template-miner.ts';

/** A group label: `Losses:`, `Loss:`, `loss terms:`. */
const GROUP_LABEL = /^loss(es)?$/i;
/** Terms that name the sum of the others. */
const AGGREGATE = /^(total|sum|overall|combined|all)$/i;
/** Measures that are not parts of a loss, though printed inside its group (`recall: 0.0, precision: 0.0`). */
const NOT_A_TERM = /^(acc\w*|\w*accuracy|prec|precision|rec|recall|f1|auc|m?ap\d*|score|bleu|rouge\w*|ppl|perplexity|lr|learning_rate|grad_norm|gnorm|norm|p|r)$|loss/i;
/** Group separators that end a group when reading leftwards (`… total 1.2 | acc 0.9`). */
const SEPARATOR = /^[|;]$/;

/**
 * The name a value inside a loss group takes: `['loss']` for the sum, `['loss', …words]` for a term; null when the
 * value at tokens[i] is in no such group or its name is a measure of its own. `words` is the name read left of the
 * value (`['x']`, `['total']`).
 */
export function lossTermWords(tokens: Token[], i: number, words: string[]): string[] | null {
  if (words.length !== 1 || NOT_A_TERM.test(words[0]!)) return null;
  if (!insideLossGroup(tokens, i)) return null;
  return AGGREGATE.test(words[0]!) ? ['loss'] : ['loss', words[0]!];
}

/**
 * Whether the value at tokens[i] follows a `Loss:`/`Losses:` label whose first term is a name (`Losses: x 0.27`, not
 * `Loss: 0.27`), in the same bracket and with no `|`/`;` between.
 */
function insideLossGroup(tokens: Token[], i: number): boolean {
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j]!;
    if (t.kind === 'punct') {
      if (t.text === ']' || t.text === ')' || t.text === '}') depth++;
      else if (t.text === '[' || t.text === '(' || t.text === '{') {
        if (depth === 0) return false;
        depth--;
      } else if (depth === 0 && SEPARATOR.test(t.text)) return false;
      else if (depth === 0 && t.text === ':' && labelBefore(tokens, j)) return firstTermIsName(tokens, j);
    }
  }
  return false;
}

/** tokens[j] is `:` right after a group label. */
function labelBefore(tokens: Token[], j: number): boolean {
  let k = j - 1;
  while (tokens[k]?.kind === 'space') k--;
  return tokens[k]?.kind === 'word' && GROUP_LABEL.test(tokens[k]!.text);
}

/** After the label's `:` comes a name, then its value: `Losses: x 0.27`. */
function firstTermIsName(tokens: Token[], colon: number): boolean {
  let k = colon + 1;
  while (tokens[k]?.kind === 'space') k++;
  if (tokens[k]?.kind !== 'word') return false;
  k++;
  while (tokens[k]?.kind === 'space' || tokens[k]?.text === ':' || tokens[k]?.text === '=') k++;
  return tokens[k]?.kind === 'num';
}

/** Names a series may have for `total` to be read as the loss: the sum with no label (`total: 1.59`, `val_total`). */
const TOTAL_KEY = 'total';

/**
 * A run with no loss whose `total` series holds fractional values that are not percentages: `total` is the loss
 * (the sum of terms the script does not print). Re-keys the series in place and returns the note, or null.
 */
export function totalAsLoss(series: Series[], percentNames: ReadonlySet<string>): string | null {
  if (series.some((s) => s.key === 'loss')) return null;
  const totals = series.filter((s) => s.key === TOTAL_KEY && !percentNames.has(s.name) && hasFractions(s.values));
  if (totals.length === 0) return null;
  for (const s of totals) {
    s.key = 'loss';
    s.direction = 'lower';
  }
  return `${totals.map((s) => `\`${s.name}\``).join(', ')} read as the loss: the run logs no other loss, and a total of fractional values is the sum of its loss terms`;
}

function hasFractions(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && !Number.isInteger(v)) return true;
  }
  return false;
}
