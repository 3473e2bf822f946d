/**
 * What each number of a line template is: a metric and its name, an epoch or step counter, the total of a counter,
 * or noise (timings, sizes, counts, dates, hyperparameters). Read from the words around the number, the way a person
 * reads a log: `loss: 0.5`, `loss=0.5`, `loss 0.5`, `'loss': 0.5`, `Valid loss: 5.1`, `cost = 15.2`,
 * `train-rmse:7.1`, `[loss:0.23]`, `Epoch 3/20`, `epoch [3]`, `0.5 loss` and `0 completed epochs` (a name after the
 * value, accepted only for words that really name such things), and columns under a table's header row.
 *
 * Names are canonicalised so the shared normaliser (`metric-names.ts`) can map them: prose names become snake case
 * with their split first (`Valid loss` → `val_loss`, `Average training batch loss` → `train_loss`), a name without a
 * split word takes the split of the nearest split word before it on the line (`Validation loss: 0.4, acc: 0.9` →
 * `val_acc`; `Test net output #0: loss = …` → `test_loss`), and Python identifiers pass through (`val_loss`).
 */
import type { Split } from '../../domain/run.ts';
import { evaluatedColumns, normaliseMetricName } from '../metric-names.ts';
import { evaluationLineSplits } from './evaluation-records.ts';
import { lossTermWords } from './loss-terms.ts';
import { tokenize, unitClass, type Token } from './template-miner.ts';

export type SlotRole = 'metric' | 'epoch' | 'step' | 'batch' | 'counter' | 'total' | 'index' | 'ignore';

export interface Slot {
  role: SlotRole;
  /** The name as printed ('' when unnamed), for notes and display. */
  name: string;
  /** The raw series name handed to the series builder: `val_loss`, `train_acc`, `lr`, `loss_rpn_cls`. */
  canon: string;
  /** Written with `%`: the value is a percentage. */
  percent: boolean;
  /** Slot index of this counter's (or ratio's) `/N` total, -1 when none. */
  total: number;
  /** A metric written `n/N` (`Accuracy: 9847/10000`): its value is n/N. */
  ratio: boolean;
  /** Written in brackets right after another bracketed counter (`[1][50/271]`): an inner counter. */
  afterBracket: boolean;
  /** How the name was found. */
  namedBy: 'left' | 'right' | 'header' | 'none';
  /** The counter's name is weak evidence (`ep` can count episodes): another epoch counter of the template wins. */
  weak: boolean;
  /** Written with a decimal point in the analysed line (`1.0`). */
  decimal: boolean;
}

/** A table's header row: the column names and where they sit. */
export interface TableHeader {
  id: number;
  /** `elided`: pandas' `...` column, standing for columns it did not print. */
  cells: Array<{ name: string; start: number; end: number; elided?: boolean }>;
  /** `|`-separated (markdown, Rich) rather than aligned with blanks. */
  piped: boolean;
  /** A per-class table (`Class Images Instances P R mAP50`): its first row after the header holds the overall results. */
  perClass: boolean;
  /**
   * Columns that are evaluation results though their names carry no split: the measures after a `Validation Loss`
   * that follows a `Training Loss` (the transformers Trainer's notebook table: `Epoch | Training Loss | Validation
   * Loss | Accuracy | F1`, where compute_metrics' names come without `eval_`).
   */
  evaluated: Set<string>;
}

export interface TemplateAnalysis {
  slots: Slot[];
  /** The split of the last split word on the line when it is val/test, carried to the following value lines. */
  trailingSplit: Split | null;
  /** Whether the line names a split itself (a tag, a leading `Validation`, a qualified name). */
  ownSplit: boolean;
  /** This line is a table's header row. */
  header: TableHeader | null;
  /** A checkpoint or "best so far" message: restated values, not measurements. */
  restatement: boolean;
  /** A short line without numbers that names a split (`evaluate:dev`): the split of the value lines after it. */
  contextSplit: Split | null;
  /** The header row of a table that is not read (`| category | AP | category | AP |`), or pandas' `[80 rows x 7 columns]`: it ends the table before it. */
  endsTable: boolean;
  /** A row read under a header: whether its index column was read as the epoch, and whether the header left columns out (`...`). */
  table?: { index: boolean; elided: boolean };
}

const SPLIT_WORDS: Record<string, Split> = {
  train: 'train', training: 'train', trn: 'train',
  val: 'val', valid: 'val', validation: 'val', validate: 'val', validating: 'val', eval: 'val', evaluation: 'val', evaluating: 'val', dev: 'val',
  test: 'test', testing: 'test',
};
/** Words that end a name when scanning left from its value (`Saving model at iteration 108 with loss 6.4`). */
const STOP_WORDS = new Set([
  'is', 'are', 'was', 'were', 'be', 'of', 'at', 'in', 'on', 'for', 'with', 'from', 'to', 'by', 'the', 'a', 'an', 'and', 'or', 'after', 'per',
  'as', 'than', 'then', 'now', 'reached', 'got', 'has', 'have', 'had', 'this', 'that', 'into', 'over', 'info', 'warning', 'debug', 'error', 'critical',
]);
/** Words dropped from prose names: they qualify how a number was aggregated, not what it measures. */
const FILLERS = new Set(['average', 'avg', 'mean', 'running', 'current', 'cur', 'overall', 'value', 'batch', 'the']);

const EPOCH_NAMES = /^(epoch|epochs|epch|ep|train_epoch|completed_epochs|epoch_num|num_epoch|epoch_idx|current_epoch|cur_epoch)$/;
const STEP_NAMES = /^(step|steps|global_step|globalstep|total_steps|step_num|iter|iters|iteration|iterations|it|update|updates|num_updates|round|rounds|acc_iter|cur_iter|n_iter|niter|global_iter|trained_steps|train_step|train_steps|optimizer_step)$/;
const BATCH_NAMES = /^(batch|batches|batch_idx|batch_id|batch_num|minibatch|mini_batch|minibatches|batch_index)$/;
/** Timings, memory, counts of things, sizes, hyperparameters of layers, identifiers: never a curve to judge. */
const NOISE_NAMES = new RegExp(
  '^(' +
    [
      'time', 'times', 'elapsed', 'elapsed_time', 'eta', 'data_time', 'iter_time', 'batch_time', 'step_time', 'forward_time', 'backward_time', 'time_cost',
      'time_taken', 'total_time', 'epoch_time', 'duration', 'timer', 'speed', 'throughput', 'runtime', 'train_runtime', 'eval_runtime', 'train_time',
      'step_avg', 'this_step', 'updt_s', 'data_s', 'sec', 'secs', 'seconds', 'timestamp', 'date', 'tot',
      '.*_per_second', '.*_per_sec', '.*samples_per_second', 'samples_per_sec', 'tokens_per_sec', 'it_s', 's_it',
      'mem', 'memory', 'gpu_mem', 'max_mem', 'mem_gb', 'max_memory', 'max_memory_allocated', 'gpu_memory', 'allocated', 'reserved',
      'samples', 'smpl', 'num_samples', 'tokens', 'num_tokens', 'instances', 'images', 'examples', 'num_examples', 'n', 'num', 'count', 'total_count',
      'v_num', 'version', 'gpu', 'gpus', 'rank', 'local_rank', 'world_size', 'seed', 'batch_size', 'bs', 'actual_batch_size', 'img_size', 'imgsz',
      'size', 'image_size', 'workers', 'num_workers', 'n_parameters', 'params', 'parameters', 'num_params', 'kernel_size', 'stride', 'padding',
      'dilation', 'groups', 'in_features', 'out_features', 'num_features', 'in_channels', 'out_channels', 'eps', 'affine', 'dim', 'hidden_size',
      'shape', 'max_length', 'maxlength', 'length', 'len', 'id', 'pid', 'port', 'total_flos', 'flos', 'num_input_tokens_seen', 'tp', 'fp', 'fn', 'tn',
      'ep_len', 'nodes', 'node_rank', 'data', 'gpu_util', 'cpu', 'workers_per_gpu', 'file', 'line', 'lines', 'queue', 'warmup_step', 'warmup_steps',
      '(ms|s|us|sec)/.*', '.*/s', '.*/it', 'total_steps_planned', 'patience', 'best_epoch', 'best_step', 'best_iter', 'best_iteration', 'copypaste', 'dataloading', 'inference',
      'fold', 'folds', 'seq_len', 'steps_per_epoch', 'iters_per_epoch', 'lora_rank', 'lora_alpha', 'rank_.*', 'max_.*', 'min_.*', 'num_.*', 'n_.*', 'time_.*', 'total_.*_(time|secs?|ms)',
      '.*_(num|time|times|secs?|count|size|mem|memory|seconds|runtime|line|lines|eta|elapsed|ms|duration|speed|idx_seen|samples|tokens|params|id|bytes|shape|dim|interval|steps_per_epoch)',
    ].join('|') +
    ')$',
);
/** A name for a value that follows it (`0.5 loss`, `100 batches`, `0 completed epochs`): only words that name such things. */
const RIGHT_NAMES = /^(?:(train|training|val|valid|validation|test|eval)_)?(loss|losses|acc|accuracy|error|err|ppl|perplexity|f1|auc|epochs|batches|steps|iterations|iters|completed_epochs|updates)$/;
/** Loss-, accuracy- and error-like names: a counter-looking column with such a name is still a metric. */
export const MEASURE_WORDS = /loss|acc|err|ppl|perplex|f1|auc|map|iou|dice|bleu|rouge|wer|cer|rmse|mse|mae|nll|score|precision|recall|kl|psnr|ssim|cost|objective|reward|^ap(\d+|[sml])?$|^p$|^r$/;
/** First words of lines that restate values (checkpoint and best-so-far messages). */
const RESTATEMENT_START = /^(sav(e|ed|ing)|checkpoint|best|new best|improved|early ?stopping|monitored|metric)$/i;
/** Log-prefix words skipped when looking for a line's first content word. */
const PREFIX_WORD = /^(info|warning|warn|debug|error|critical|notice|trace|fatal|[IWEFD]\d{4}|__main__|root|main)$/i;

let headerIds = 0;
/** Reprs that wrap a number: torch's `tensor(…)`, NumPy 2's `np.float32(…)`, `Decimal(…)`, JAX's `Array(…)`. */
const VALUE_WRAPPERS = /^(?:(?:torch|np|numpy|jnp|jax\.numpy)\.)?(?:tensor|Tensor|float16|float32|float64|bfloat16|int32|int64|array|Array|Decimal|float)$/;
/** pandas' footer under a frame it shortened: `[80 rows x 7 columns]`. */
const TABLE_FOOTER = /^\s*\[\d+ rows x \d+ columns\]\s*$/;
/** The name namesFromHeader gives an unnamed integer left of a table's first column: the row's index (pandas). */
export const INDEX_COLUMN = '\u0000index';
/** Most numbers a line may have for them to be named (see analyseLine). */
const MAX_NAMED_SLOTS = 200;
/** How far back (in tokens) a look for an enclosing `@[` goes. */
const MAX_LOOKBACK = 64;

/**
 * Analyses a template from one line of it. `header` is the table header row in force, if any: a line whose numbers
 * sit under its column names is read as a row of that table.
 */
export function analyseLine(text: string, header: TableHeader | null = null): TemplateAnalysis {
  const tokens = tokenize(text);
  const nums = tokens.filter((t) => t.kind === 'num');
  // A line of hundreds of numbers is a data dump (a tensor, a list of ids), not a record: its numbers are noise,
  // and naming them would cost a walk per number.
  const many = nums.length > MAX_NAMED_SLOTS;
  const slots: Slot[] = nums.map((t) => ({ role: 'ignore', name: '', canon: '', percent: false, total: -1, ratio: false, afterBracket: false, namedBy: 'none', weak: false, decimal: /^[-+]?\d*\.\d/.test(t.text) }));
  const restatement = isRestatement(tokens);
  if (many) return { slots, trailingSplit: null, ownSplit: false, header: null, restatement: false, contextSplit: null, endsTable: false };
  if (TABLE_FOOTER.test(text)) return { slots, trailingSplit: null, ownSplit: false, header: null, restatement: false, contextSplit: null, endsTable: true };
  const ownHeader = nums.length === 0 || onlyProgressNumbers(tokens) ? detectHeader(tokens, text) : null;
  if (ownHeader) return { slots, trailingSplit: null, ownSplit: false, header: ownHeader, restatement: false, contextSplit: null, endsTable: false };

  const index = new Map<Token, number>();
  tokens.forEach((t, i) => index.set(t, i));
  const headerNames = header ? namesFromHeader(tokens, header) : null;

  // Splits named on the line: the split in force at each token (the nearest split word before it).
  const splitAt: Array<Split | null> = [];
  let current: Split | null = null;
  let anySplitWord = false;
  let lastSplit: Split | null = null;
  for (const t of tokens) {
    if (t.kind === 'word') {
      const s = splitOfWord(t.text);
      if (s) {
        current = s;
        anySplitWord = true;
        lastSplit = s;
      } else {
        const camel = camelSplit(t.text);
        if (camel) lastSplit = camel;
      }
    }
    splitAt.push(current);
  }

  const used = new Set<string>();
  // `LOC: precision: 76.6%; recall: 71.2%`: the line's subject qualifies every name on it.
  let subject: string | null = null;
  for (let k = 0; k < nums.length; k++) {
    const tok = nums[k]!;
    const i = index.get(tok)!;
    const slot = slots[k]!;
    const unit = unitClass(tok.unit ?? '');
    slot.percent = unit === '%';
    // `a/b`, `a / b`, `200/ 2983`: b is a's total.
    if (isTotal(tokens, i)) {
      slot.role = 'total';
      continue;
    }
    const totalIdx = totalAfter(tokens, i);
    if (totalIdx >= 0) slot.total = tokens[totalIdx]!.slot!;
    if (unit === 'time' || unit === 'rate' || unit === 'memory') continue;
    // `0.0011 s/iter`, `4.93 MiB`, `12 sec`: a unit written after a blank.
    if (unitAfter(tokens, i)) continue;
    // COCO's `Average Precision (AP) @[ IoU=0.50:0.95 | area= all | maxDets=100 ] = 0.393`: `@[…]` labels the line.
    if (insideAtBracket(tokens, i)) continue;
    // Caffe's `Test net output #1: accuracy = …`: `#1` numbers an output, it is part of the names on the line.
    if (tokens[i - 1]?.text === '#' && /^\d+$/.test(tok.text)) {
      slot.role = 'index';
      continue;
    }

    let words: string[] | null = null;
    let namedBy: Slot['namedBy'] = 'none';
    const hdr = headerNames?.get(tok.slot!);
    if (hdr === INDEX_COLUMN) {
      // The frame's index: the epoch, unless a column places the rows itself (`epoch`, `step`).
      if (!header!.cells.some((c) => !c.elided && isPosition(c.name))) {
        slot.role = 'epoch';
        slot.name = 'index';
        slot.canon = 'epoch';
        slot.namedBy = 'header';
      }
      continue;
    }
    if (hdr !== undefined) {
      // A per-class table (`Class Images Instances P R mAP50`, YOLO's validation) holds evaluation results.
      const cell = hdr.split(/\s+/);
      words = (header?.perClass || header?.evaluated.has(hdr)) && !splitOfWord(hdr.split(/[\s_]/)[0]!) ? ['val', ...cell] : cell;
      namedBy = 'header';
    }
    if (!words) {
      const left = leftName(tokens, i);
      if (left) {
        words = left;
        namedBy = 'left';
        if (qualifiedNames.has(left)) subject = left[0]!;
        else if (subject) words = [subject, ...left];
      }
    }
    slot.afterBracket = isInnerBracket(tokens, i);
    // A name that is only a split word names nothing: `Train:   10/80` is a counter of some loop, `Train 0, loss: …` an epoch.
    let splitNamed = false;
    if (words && canonicalName(words).canon === '') {
      words = null;
      splitNamed = true;
    }
    if (!words && !slot.afterBracket && !inParensAfterValue(tokens, i)) {
      const right = rightName(tokens, i + (totalIdx >= 0 ? totalIdx - i : 0));
      if (right) {
        words = right;
        namedBy = 'right';
      }
    }
    if (!words) {
      // A parenthesised number right after a named value restates it: its running average (`Loss: 0.75 (0.77)`).
      const prev = parenFollowUp(tokens, i, slots, nums);
      if (prev && prev.role === 'metric' && !slot.percent && slot.total < 0) {
        slot.role = 'metric';
        slot.name = `${prev.name} (avg)`;
        slot.canon = `${prev.canon}_avg`;
        slot.namedBy = 'left';
      } else if (inParensAfterValue(tokens, i)) {
        // `Acc: 26.2% (2617/10000)`: the same measurement as a count, not a position.
      } else if (slot.total >= 0 || bracketedAtStart(tokens, i) || slot.afterBracket) {
        slot.role = 'counter';
      } else if (splitNamed && !slot.percent && /^\d+$/.test(tok.text)) {
        slot.role = 'epoch';
        slot.weak = true;
        slot.name = text.slice(0, tok.start).trim().split(/\s+/).pop() ?? '';
      }
      continue;
    }
    const display = namedBy === 'header' ? hdr! : words.join(' ');
    // `[Losses: x 0.27, …, total 15.1]`: the terms of a loss group are its parts, their sum the loss (loss-terms.ts).
    const term = namedBy === 'left' && !isPositionOrNoise(words) ? lossTermWords(tokens, i, words) : null;
    const { canon, split: ownSplitOfName, explicit } = canonicalName(term ?? words);
    if (/(^|_)best($|_)/.test(canon) || /^(new_)?best/.test(canon)) continue;
    let base = stripSplit(canon);
    // `Start epoch 1`, `End of epoch 1 / 200`, `global step 352`: a position named by its last word.
    const lastWord = base.split('_').pop()!;
    if (!EPOCH_NAMES.test(base) && !STEP_NAMES.test(base) && !BATCH_NAMES.test(base) && words.length > 1) {
      if (EPOCH_NAMES.test(lastWord) && lastWord !== 'ep') base = 'epoch';
      else if (STEP_NAMES.test(lastWord) && lastWord !== 'it') base = lastWord;
      else if (BATCH_NAMES.test(lastWord)) base = 'batch';
    }
    slot.name = display;
    slot.namedBy = namedBy;
    if (namedBy !== 'right' && /^(epochs|steps|iterations|iters|batches|updates|rounds|total_steps|total_epochs|num_epochs|max_epochs|max_steps)$/.test(base)) {
      // `epochs=12`, `Epochs : 30`: how many a run will do (a setting), not where it is; `3 epochs` after a value is.
      slot.role = 'ignore';
    } else if (EPOCH_NAMES.test(base)) {
      slot.role = 'epoch';
      slot.weak = base === 'ep';
    } else if (STEP_NAMES.test(base)) slot.role = 'step';
    else if (BATCH_NAMES.test(base)) slot.role = 'batch';
    else if (NOISE_NAMES.test(base) || NOISE_NAMES.test(canon)) slot.role = 'ignore';
    else if (namedBy === 'right' && !RIGHT_NAMES.test(canon)) slot.role = 'ignore';
    else {
      slot.role = 'metric';
      let c = canon;
      const inherited = splitAt[i] ?? null;
      if (!explicit && !ownSplitOfName && inherited && inherited !== 'train' && !/^lr$|^learning_rate$/.test(c)) c = `${inherited === 'val' ? 'val' : 'test'}_${c}`;
      if (used.has(c) && namedBy !== 'right') {
        // `train acc` and `train avg acc` on one line: the aggregation word is what tells them apart.
        const full = canonicalName(words, true).canon;
        const f = !explicit && !ownSplitOfName && inherited && inherited !== 'train' ? `${inherited === 'val' ? 'val' : 'test'}_${full}` : full;
        if (!used.has(f)) c = f;
      }
      if (used.has(c)) {
        // The same name twice on a line (`loss = 2.64 (* 1 = 2.64 loss)`): the first is the measurement.
        slot.role = 'ignore';
        continue;
      }
      // `Accuracy: 9847/10000` is a ratio; `Train/Test 12568/1801`, `mean/std 0.000/1.000` are not measurements.
      if (slot.total >= 0 && !MEASURE_WORDS.test(stripSplit(c))) {
        slot.role = 'ignore';
        continue;
      }
      used.add(c);
      slot.canon = c;
      slot.ratio = slot.total >= 0;
    }
    if (slot.role !== 'metric') slot.canon = base;
  }
  // A total belongs to a counter or a ratio; a total of nothing is noise.
  for (const s of slots) if (s.role !== 'metric' && s.role !== 'epoch' && s.role !== 'step' && s.role !== 'batch' && s.role !== 'counter') s.total = -1;
  const owned = new Set(slots.map((s) => s.total));
  for (let k = 0; k < slots.length; k++) if (slots[k]!.role === 'total' && !owned.has(k)) slots[k]!.role = 'ignore';
  evaluationLineSplits(slots);
  return {
    slots,
    trailingSplit: lastSplit === 'val' || lastSplit === 'test' ? lastSplit : null,
    ownSplit: anySplitWord || slots.some((s) => s.role === 'metric' && normaliseMetricName(s.canon).split !== 'train'),
    header: null,
    restatement,
    contextSplit: nums.length === 0 ? contextSplitOf(tokens) : null,
    endsTable: nums.length === 0 && /^\s*[|│┃║]\s*[\p{L}#_]/u.test(text) && /[|│┃║].*[|│┃║]/.test(text),
    table: headerNames ? { index: slots.some((x) => x.name === 'index' && x.role === 'epoch' && x.namedBy === 'header'), elided: header!.cells.some((c) => c.elided) } : undefined,
  };
}

/** A name that places a record or is noise (`iter`, `time`): never a loss term. */
function isPositionOrNoise(words: string[]): boolean {
  const base = stripSplit(canonicalName(words).canon);
  return EPOCH_NAMES.test(base) || STEP_NAMES.test(base) || BATCH_NAMES.test(base) || NOISE_NAMES.test(base);
}

/** `evaluate:dev`, `Validation:`, `***** Running evaluation *****`: few words, one of them a split. */
function contextSplitOf(tokens: Token[]): Split | null {
  const words = tokens.filter((t) => t.kind === 'word' && !PREFIX_WORD.test(t.text));
  if (words.length === 0 || words.length > 4) return null;
  let found: Split | null = null;
  for (const w of words) {
    const s = splitOfWord(w.text);
    if (s) found = s;
  }
  return found === 'val' || found === 'test' ? found : null;
}

/** The split a word names by itself (`Valid`, `[Train]`'s `Train`), or null. */
export function splitOfWord(word: string): Split | null {
  return SPLIT_WORDS[word.toLowerCase().replace(/\.$/, '')] ?? null;
}

/** `TrainLoss`, `ValAcc`: a split glued on in camel case. */
function camelSplit(word: string): Split | null {
  const m = /^(Train|Training|Val|Valid|Validation|Test|Eval)(?=[A-Z][a-z])/.exec(word);
  return m ? SPLIT_WORDS[m[1]!.toLowerCase()]! : null;
}

/**
 * Words → the raw series name. Prose (`Valid loss`, `Train. Acc.`) becomes snake case with the split first; an
 * identifier keeps its form, lower-cased (`val_loss`, `loss_rpn_cls`, `s0.acc`), with `avg_`/`mean_` dropped and a
 * camel-case split separated (`TrainLoss` → `train_loss`).
 */
export function canonicalName(words: string[], keepFillers = false): { canon: string; split: Split | null; explicit: boolean } {
  let split: Split | null = null;
  const parts: string[] = [];
  const all: string[] = [];
  for (const raw of words) {
    let w = raw.replace(/\.$/, '').replace(/'s$/, '');
    // LightGBM names its evaluation sets `training`, `valid_0`, `valid_1`: the set's split.
    const set = /^(train|training|val|valid|validation|eval|test|dev)_?\d+$/i.exec(w);
    if (set && words.length > 1) w = set[1]!;
    const camel = /^(Train|Training|Val|Valid|Validation|Test|Eval)([A-Z][A-Za-z0-9]*)$/.exec(w);
    if (camel) w = `${camel[1]}_${camel[2]}`;
    const lower = w.toLowerCase();
    if (words.length > 1 || !/[_./-]/.test(lower)) {
      const s = SPLIT_WORDS[lower];
      if (s && !split) {
        split = s;
        continue;
      }
    }
    all.push(lower);
    if (keepFillers || !FILLERS.has(lower)) parts.push(lower);
  }
  let body = (parts.length ? parts : all).join('_');
  if (words.length === 1) {
    // Identifiers: `avg_train_loss` → `train_loss`, `loss_value` → `loss`, `Current_accuracy` → `accuracy`.
    body = body.replace(/^(avg|average|running|current|cur|batch)_(?=[a-z])/, '').replace(/_value$/, '');
  }
  if (/^(base_|learning_)?lr$|^learning_rate$|^lr_\w+$/.test(body)) body = body.startsWith('lr_') ? body : body === 'learning_rate' ? 'learning_rate' : 'lr';
  body = body.replace(/[()[\]{}'"`:,;]+/g, '');
  if (body === '') return { canon: '', split, explicit: false };
  const explicitId = normaliseMetricName(body).split !== 'train' || /^(train|training)[_\-/.]/.test(body);
  if (split && !explicitId) {
    const prefix = split === 'val' ? 'val' : split;
    return { canon: `${prefix}_${body}`, split, explicit: true };
  }
  return { canon: body, split, explicit: explicitId };
}

function stripSplit(canon: string): string {
  return canon.replace(/^(train|training|val|valid|validation|test|eval|dev)_/, '');
}

/**
 * The words naming the number at tokens[i], read leftwards: connectors (`:`, `=`, quotes, an opening bracket that
 * closes right after the value) then up to four words joined by single blanks. A column gap ends the name unless a
 * `:`/`=` or bracket shows the pair belongs together (`Epoch:   100`). null when nothing names it.
 */
function leftName(tokens: Token[], i: number): string[] | null {
  let j = i - 1;
  let assigned = false;
  let gap = false;
  let bracket = false;
  while (j >= 0) {
    const t = tokens[j]!;
    if (t.kind === 'space') {
      if (t.text.length > 1 || t.text.includes('\t')) gap = true;
      j--;
      continue;
    }
    if (t.kind === 'punct' && (t.text === ':' || t.text === '=')) {
      assigned = true;
      j--;
      continue;
    }
    if (t.kind === 'punct' && (t.text === "'" || t.text === '"')) {
      j--;
      continue;
    }
    // `'loss': tensor(0.6931)`, `np.float32(0.5)`, `tensor(0.69, grad_fn=<…>)`: a repr wrapping the value; the name is before it.
    if (t.kind === 'punct' && t.text === '(' && tokens[j - 1]?.kind === 'word' && VALUE_WRAPPERS.test(tokens[j - 1]!.text)) {
      j -= 2;
      continue;
    }
    if (t.kind === 'punct' && (t.text === '[' || t.text === '(') && closesAfterValue(tokens, i, t.text === '[' ? ']' : ')')) {
      bracket = true;
      j--;
      continue;
    }
    if (t.kind === 'punct' && t.text === '.' && j > 0 && tokens[j - 1]!.kind === 'word' && (assigned || tokens[j + 1]?.kind === 'punct')) {
      // `Train. Acc.:` — an abbreviation's dot.
      j--;
      continue;
    }
    break;
  }
  // mmengine's `Epoch(train)  [1][14/14]`: the name carries its split in parentheses.
  if (j >= 3 && tokens[j]!.text === ')' && tokens[j - 1]!.kind === 'word' && splitOfWord(tokens[j - 1]!.text) && tokens[j - 2]!.text === '(' && tokens[j - 3]!.kind === 'word') {
    return bracket || assigned ? [tokens[j - 3]!.text] : null;
  }
  // `validation loss at step 150: 1.72`: the name comes before the position it was measured at.
  if (assigned && j >= 0 && tokens[j]!.kind === 'num') {
    let k = j - 1;
    const skip = () => {
      while (tokens[k]?.kind === 'space' && tokens[k]!.text === ' ') k--;
    };
    skip();
    if (tokens[k]?.kind === 'word' && /^(step|epoch|iter|iteration|batch|round)$/i.test(tokens[k]!.text)) {
      k--;
      skip();
      if (tokens[k]?.kind === 'word' && /^(at|after|for|in)$/i.test(tokens[k]!.text)) {
        k--;
        skip();
        const words: string[] = [];
        while (k >= 0 && tokens[k]!.kind === 'word' && words.length < 3 && !STOP_WORDS.has(tokens[k]!.text.toLowerCase())) {
          words.unshift(tokens[k]!.text);
          k--;
          skip();
        }
        if (words.length) return words;
      }
    }
    return null;
  }
  // `  lr    | 1.00e-01`, `| loss | 0.41 |`: a line of two cells, a name and its value.
  if (j >= 0 && !assigned && !bracket && PIPE.test(tokens[j]!.text) && lastCell(tokens, i)) return nameCellBefore(tokens, j);
  if (j < 0 || tokens[j]!.kind !== 'word') return null;
  // A column gap separates columns, except inside a cell of its own: `| loss   5.21 |` (values padded to align).
  if (gap && !assigned && !bracket && !(cellStartsAt(tokens, j) && cellEndsAfter(tokens, i))) return null;
  // `'val/accuracy' reached 0.187`: Lightning's checkpoint message names the metric in quotes before the verb.
  if (tokens[j]!.text === 'reached') {
    let k = j - 1;
    while (k >= 0 && tokens[k]!.kind === 'space') k--;
    if (k >= 2 && (tokens[k]!.text === "'" || tokens[k]!.text === '"') && tokens[k - 1]!.kind === 'word' && tokens[k - 2]!.text === tokens[k]!.text) return [tokens[k - 1]!.text];
    return null;
  }
  const words: string[] = [];
  while (j >= 0 && words.length < 4) {
    const t = tokens[j]!;
    if (t.kind === 'word') {
      // `the acc is: 0.53`: a copula before the value joins the name to it.
      if (words.length === 0 && assigned && /^(is|was|are|were)$/i.test(t.text)) {
        j--;
        while (tokens[j]?.kind === 'space' && tokens[j]!.text === ' ') j--;
        continue;
      }
      if (STOP_WORDS.has(t.text.toLowerCase()) || PREFIX_WORD.test(t.text)) break;
      words.unshift(t.text);
      j--;
      continue;
    }
    if (t.kind === 'space' && t.text === ' ' && j > 0 && (tokens[j - 1]!.kind === 'word' || tokens[j - 1]!.text === '.')) {
      j--;
      continue;
    }
    if (t.kind === 'punct' && t.text === '.' && j > 0 && tokens[j - 1]!.kind === 'word') {
      j--;
      continue;
    }
    break;
  }
  if (!words.length) return null;
  // `--lr 2e-5`: a command-line flag, the setting of a run rather than a measurement of it.
  if (tokens[j]?.text === '-' && tokens[j - 1]?.text === '-') return null;
  // `LOC: precision: 76.6%`: a one-word qualifier before the name, the line's subject.
  let c = j;
  while (tokens[c]?.kind === 'space' && tokens[c]!.text === ' ') c--;
  if (words.length === 1 && tokens[c]?.text === ':') {
    let k = c - 1;
    while (tokens[k]?.kind === 'space') k--;
    const q = tokens[k];
    const before = tokens[k - 1];
    // (An upper-case subject is a label even when it spells a small word: `PER:` is the person entity.)
    if (q?.kind === 'word' && !PREFIX_WORD.test(q.text) && (!STOP_WORDS.has(q.text.toLowerCase()) || /^[A-Z]+$/.test(q.text)) && (k === 0 || (before?.kind === 'space' && (before.text.length > 1 || before.text.includes('\t') || tokens[k - 2]?.text === '-')))) {
      const qualified = [q.text, ...words];
      qualifiedNames.add(qualified);
      return qualified;
    }
  }
  return words;
}

const UNIT_WORDS = /^(s|sec|secs|second|seconds|ms|min|mins|minute|minutes|h|hr|hrs|hours|s\/iter|s\/it|it\/s|ms\/step|s\/step|ms\/batch|b|kb|mb|gb|kib|mib|gib|bytes|samples\/s|tokens\/s)$/i;

/** The number is followed by a blank and a unit of time or memory (`0.0393 s / iter`, `4.93 MiB`). */
function unitAfter(tokens: Token[], i: number): boolean {
  if (tokens[i + 1]?.kind !== 'space' || tokens[i + 1]!.text !== ' ') return false;
  const w = tokens[i + 2];
  if (w?.kind !== 'word') return false;
  if (!UNIT_WORDS.test(w.text)) return false;
  // `12 s` followed by more words of a sentence is still a duration.
  return true;
}

function insideAtBracket(tokens: Token[], i: number): boolean {
  for (let j = i - 1; j >= 1 && j >= i - MAX_LOOKBACK; j--) {
    const t = tokens[j]!.text;
    if (t === ']') return false;
    if (t === '[') return tokens[j - 1]!.text === '@';
  }
  return false;
}

/** Names leftName built with a line subject in front (`LOC: precision`). */
const qualifiedNames = new WeakSet<string[]>();

const CELL_BORDER = /^[|│,;]$/;
const PIPE = /^[|│┃║]$/;

/** tokens[i] is all of the line's last cell: blanks and at most a closing bar follow it. */
function lastCell(tokens: Token[], i: number): boolean {
  let k = i + 1;
  while (tokens[k]?.kind === 'space') k++;
  if (k < tokens.length && PIPE.test(tokens[k]!.text)) k++;
  while (tokens[k]?.kind === 'space') k++;
  return k >= tokens.length;
}

/**
 * The words of the line's first cell, which ends at the bar tokens[bar], when it holds nothing but one to three words
 * (after blanks or an opening bar); else null.
 */
function nameCellBefore(tokens: Token[], bar: number): string[] | null {
  const words: string[] = [];
  let k = bar - 1;
  while (tokens[k]?.kind === 'space') k--;
  while (k >= 0 && tokens[k]!.kind === 'word' && words.length < 3) {
    words.unshift(tokens[k]!.text);
    k--;
    if (tokens[k]?.kind === 'space' && tokens[k]!.text === ' ' && tokens[k - 1]?.kind === 'word') k--;
  }
  while (tokens[k]?.kind === 'space') k--;
  if (k >= 0 && PIPE.test(tokens[k]!.text)) k--;
  while (tokens[k]?.kind === 'space') k--;
  return words.length > 0 && k < 0 ? words : null;
}

/** tokens[j] is the first word of a cell: after `|`, `,`, `;` or the line start (blanks aside). */
function cellStartsAt(tokens: Token[], j: number): boolean {
  let k = j - 1;
  while (k >= 0 && (tokens[k]!.kind === 'word' || (tokens[k]!.kind === 'space' && tokens[k]!.text === ' ' && tokens[k - 1]?.kind === 'word'))) k--;
  while (k >= 0 && tokens[k]!.kind === 'space') k--;
  return k < 0 || CELL_BORDER.test(tokens[k]!.text);
}

/** tokens[i] ends its cell: `|`, `,`, `;` or the line end follows (blanks aside). */
function cellEndsAfter(tokens: Token[], i: number): boolean {
  let k = i + 1;
  while (k < tokens.length && tokens[k]!.kind === 'space') k++;
  return k >= tokens.length || CELL_BORDER.test(tokens[k]!.text);
}

/** Words right after the number (`0.5 loss`, `100 batches`, `0 completed epochs`), or null. */
function rightName(tokens: Token[], i: number): string[] | null {
  let j = i + 1;
  if (tokens[j]?.kind !== 'space' || tokens[j]!.text !== ' ') return null;
  j++;
  const words: string[] = [];
  while (j < tokens.length && words.length < 3) {
    const t = tokens[j]!;
    if (t.kind === 'word') {
      if (STOP_WORDS.has(t.text.toLowerCase())) break;
      words.push(t.text);
      j++;
      continue;
    }
    if (t.kind === 'space' && t.text === ' ' && tokens[j + 1]?.kind === 'word') {
      j++;
      continue;
    }
    break;
  }
  if (!words.length) return null;
  // Only as many words as make a known name: `0.5 loss on batch` → `loss`.
  for (let n = words.length; n >= 1; n--) {
    const c = canonicalName(words.slice(0, n)).canon;
    if (RIGHT_NAMES.test(c)) return words.slice(0, n);
  }
  return null;
}

/** tokens[i] is followed (after an optional `/N`) by the closing bracket. */
function closesAfterValue(tokens: Token[], i: number, close: string): boolean {
  let j = i + 1;
  const skip = () => {
    while (tokens[j]?.kind === 'space') j++;
  };
  skip();
  if (tokens[j]?.text === '/') {
    j++;
    skip();
    if (tokens[j]?.kind !== 'num') return false;
    j++;
    skip();
  }
  // OpenPCDet's `[ 23/464 (  5%)]`: a percentage may sit inside before the bracket closes.
  if (tokens[j]?.text === '(' ) {
    let k = j + 1;
    while (k < tokens.length && tokens[k]!.text !== ')' && k - j < 6) k++;
    if (tokens[k]?.text === ')') j = k + 1;
    skip();
  }
  return tokens[j]?.text === close;
}

/** The token index of the `N` in `n/N` or `n / N` right after tokens[i], or -1. */
function totalAfter(tokens: Token[], i: number): number {
  let j = i + 1;
  if (tokens[j]?.kind === 'space') j++;
  if (tokens[j]?.text !== '/') return -1;
  j++;
  if (tokens[j]?.kind === 'space') j++;
  return tokens[j]?.kind === 'num' ? j : -1;
}

function isTotal(tokens: Token[], i: number): boolean {
  let j = i - 1;
  if (tokens[j]?.kind === 'space') j--;
  if (tokens[j]?.text !== '/') return false;
  j--;
  if (tokens[j]?.kind === 'space') j--;
  return tokens[j]?.kind === 'num';
}

/** `[1][50/271]`: a bracketed number right after a closed bracket. */
function isInnerBracket(tokens: Token[], i: number): boolean {
  let j = i - 1;
  while (tokens[j]?.kind === 'space') j--;
  if (tokens[j]?.text !== '[') return false;
  j--;
  return tokens[j]?.text === ']';
}

/** `[1]` or `[1/200000]` first on the line (after masked prefixes): xgboost's round, deep-text-recognition's iteration. */
function bracketedAtStart(tokens: Token[], i: number): boolean {
  let j = i - 1;
  while (tokens[j]?.kind === 'space') j--;
  if (tokens[j]?.text !== '[') return false;
  j--;
  while (j >= 0 && (tokens[j]!.kind === 'space' || tokens[j]!.kind === 'masked' || (tokens[j]!.kind === 'punct' && /[\]\-|:]/.test(tokens[j]!.text)))) j--;
  return j < 0;
}

/** Whether tokens[i] sits in parentheses right after another number (`0.75 (0.77)`, `26.17% (2617/10000)`). */
function inParensAfterValue(tokens: Token[], i: number): boolean {
  let j = i - 1;
  while (tokens[j]?.kind === 'space') j--;
  if (tokens[j]?.text !== '(') return false;
  j--;
  while (tokens[j]?.kind === 'space') j--;
  return tokens[j]?.kind === 'num';
}

/** The slot of the value a parenthesised number follows, when it does. */
function parenFollowUp(tokens: Token[], i: number, slots: Slot[], nums: Token[]): Slot | null {
  if (!inParensAfterValue(tokens, i)) return null;
  if (!closesAfterValue(tokens, i, ')')) return null;
  let j = i - 1;
  while (tokens[j]?.kind === 'space') j--;
  j--;
  while (tokens[j]?.kind === 'space') j--;
  const prev = tokens[j]!;
  return prev.kind === 'num' && prev.slot !== undefined ? slots[prev.slot]! : null;
}

function isRestatement(tokens: Token[]): boolean {
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    if (PREFIX_WORD.test(t.text)) continue;
    return RESTATEMENT_START.test(t.text);
  }
  return false;
}

/** A header whose line also carries a progress bar (`… mAP50-95): 100% ━━ 1/1 5.0it/s`): only progress numbers. */
function onlyProgressNumbers(tokens: Token[]): boolean {
  const firstNum = tokens.findIndex((t) => t.kind === 'num');
  const colon = tokens.findIndex((t) => t.text === ':');
  return colon >= 0 && colon < firstNum && tokens.slice(firstNum).some((t) => t.unit === '%');
}

/**
 * A header row: three or more column names separated by gaps of blanks or by `|`/`│`/`┃`, no numbers among them,
 * at least one naming a metric or a counter. Returns the cells with their spans, or null.
 */
function detectHeader(tokens: Token[], text: string): TableHeader | null {
  const piped = /[|│┃║]/.test(text) && /^\s*[|│┃║]/.test(text);
  const cells: TableHeader['cells'] = [];
  if (piped) {
    let start = -1;
    for (let i = 0; i <= text.length; i++) {
      const ch = text[i];
      if (ch === undefined || ch === '|' || ch === '│' || ch === '┃' || ch === '║') {
        if (start >= 0) {
          const raw = text.slice(start, i);
          const name = raw.trim();
          if (name) cells.push({ name, start: start + raw.indexOf(name), end: start + raw.indexOf(name) + name.length });
        }
        start = i + 1;
      }
    }
  } else {
    // Cells are runs of tokens separated by gaps of two or more blanks; a progress tail after `:` ends the header.
    let cur: Token[] = [];
    const flush = () => {
      if (cur.length) cells.push({ name: text.slice(cur[0]!.start, cur[cur.length - 1]!.end), start: cur[0]!.start, end: cur[cur.length - 1]!.end });
      cur = [];
    };
    for (const t of tokens) {
      if (t.kind === 'num' || t.kind === 'masked') break;
      if (t.kind === 'space' && (t.text.length > 1 || t.text.includes('\t'))) {
        flush();
        continue;
      }
      if (t.kind === 'space') {
        if (cur.length) cur.push(t);
        continue;
      }
      if (t.text === ':' && cur.length) {
        flush();
        break;
      }
      cur.push(t);
    }
    flush();
  }
  // pandas ends a header it continues in a second block with ` \`, and writes `...` for the columns it leaves out.
  if (!piped && cells.length && cells[cells.length - 1]!.name === '\\') cells.pop();
  const shown = cells.filter((c) => c.name !== '...');
  const elided = shown.length < cells.length;
  if (shown.length < 2 || (shown.length < 3 && !piped && !shown.every((c) => isMeasureOrPosition(c.name)))) return null;
  if (cells.length < 3 && !elided && shown.length < 2) return null;
  const names = cells.map((c) => (c.name === '...' ? '...' : headerCellName(c.name)));
  if (names.some((n) => n === null)) return null;
  // `| category | AP | category | AP |`: a listing in several columns, not a row of measurements.
  if (new Set(names.filter((n) => n !== '...').map((n) => n!.toLowerCase())).size < names.length - (cells.length - shown.length)) return null;
  // `Iter  Train Loss  OOB Improve  Remaining Time` (scikit-learn's gradient boosting): names of a few words, the
  // columns two or more blanks apart. Prose has such gaps too, so only when two of the names measure or place.
  if (!piped && cells.some((c) => /\s/.test(c.name))) {
    if (shown.length < 3 || shown.some((c) => c.name.split(/\s+/).length > 3) || shown.filter((c) => isMeasureOrPosition(c.name)).length < 2) return null;
  }
  const canon = names.map((n) => canonicalName(n!.split(/\s+/)).canon);
  if (!canon.some((c) => MEASURE_WORDS.test(c) || EPOCH_NAMES.test(stripSplit(c)) || STEP_NAMES.test(stripSplit(c))) && !names.some((n) => n !== '...' && isMeasureOrPosition(n!))) return null;
  // `| Epoch | Training Loss | Validation Loss | Accuracy |` (the transformers notebook table): Accuracy is the evaluation's.
  const evaluated = new Set([...evaluatedColumns(names as string[], isPosition)].map((k) => names[k]!));
  return {
    id: ++headerIds,
    cells: cells.map((c, k) => (names[k] === '...' ? { ...c, name: '...', elided: true } : { ...c, name: names[k]! })),
    piped,
    perClass: /^(class|classes|category|categories)$/i.test(names[0]!),
    evaluated,
  };
}

/** A header cell that names a position (`epoch`, `Step`). */
function isPosition(cell: string): boolean {
  const c = stripSplit(canonicalName(cell.split(/\s+/)).canon);
  return EPOCH_NAMES.test(c) || STEP_NAMES.test(c);
}

/** A header cell that names a measurement or a position (`loss`, `val_acc`, `epoch`). */
function isMeasureOrPosition(cell: string): boolean {
  const c = canonicalName(cell.split(/\s+/)).canon;
  const key = normaliseMetricName(c).key;
  return MEASURE_WORDS.test(c) || /^top-?\d+/.test(key) || key === 'lr' || EPOCH_NAMES.test(stripSplit(c)) || STEP_NAMES.test(stripSplit(c));
}

/** `Box(P` → `P`, `mAP50-95)` → `mAP50-95`, `Train Loss` → itself; null for a cell that is not a name. */
function headerCellName(cell: string): string | null {
  let s = cell.trim();
  const paren = s.lastIndexOf('(');
  if (paren >= 0 && !s.includes(')')) s = s.slice(paren + 1);
  s = s.replace(/[():]+$/g, '').trim();
  if (!/^[\p{L}_][\p{L}\p{N}_ .\-/%@]*$/u.test(s) || s.length > 40) return null;
  return s;
}

/**
 * Names the numbers of a table row from the header in force: a piped row by cell index, an aligned row by the column
 * each number sits under (its span overlaps the header cell, or ends where the cell ends: numbers are right-aligned).
 */
function namesFromHeader(tokens: Token[], header: TableHeader): Map<number, string> | null {
  const out = new Map<number, string>();
  const nums = tokens.filter((t) => t.kind === 'num');
  if (header.piped) {
    const text = tokens.map((t) => t.text).join('');
    if (!/^\s*[|│┃║]/.test(text)) return null;
    // Cell k of the row is what lies between its k-th and (k+1)-th bar.
    let cell = -1;
    let seenFirst = false;
    for (const t of tokens) {
      if (t.kind === 'punct' && /[|│┃║]/.test(t.text)) {
        cell++;
        seenFirst = true;
        continue;
      }
      if (!seenFirst) continue;
      if (t.kind === 'num' && cell >= 0 && cell < header.cells.length && !out.has(t.slot!)) {
        const already = [...out.keys()].some((s) => tokens.find((x) => x.slot === s && cellOf(tokens, x) === cell));
        if (!already) out.set(t.slot!, header.cells[cell]!.name);
      }
    }
    return out.size ? out : null;
  }
  // A row with a value for every column shown, in order (pandas' DataFrame print, whose header may not sit right above
  // its values when pasted), maybe after an unnamed integer left of the first column: the frame's index.
  const cells = header.cells.filter((c) => !c.elided);
  const vals = nums.filter((t) => !isTotal(tokens, tokens.indexOf(t)));
  const indexed = vals.length === cells.length + 1 && /^\d+$/.test(vals[0]!.text) && vals[0]!.end <= cells[0]!.start;
  if (vals.length >= 2 && (vals.length === cells.length || indexed)) {
    const first = indexed ? 1 : 0;
    // Only when the values keep the columns' order (each starts after the previous column's start).
    const ordered = cells.every((c, k) => k === 0 || vals[first + k]!.start > cells[k - 1]!.start);
    if (ordered) {
      if (indexed) out.set(vals[0]!.slot!, INDEX_COLUMN);
      cells.forEach((c, k) => out.set(vals[first + k]!.slot!, c.name));
      return out;
    }
  }
  // Aligned: every row token (a number, `n/N` taken as one, or a word) must sit under a header cell.
  let aligned = 0;
  for (const c of header.cells) {
    const hit = nums.find((t) => (t.start < c.end && t.end > c.start) || Math.abs(t.end - c.end) <= 1);
    if (!hit) continue;
    // `2/100` under `Epoch`: the counter, not its total.
    const idx = tokens.indexOf(hit);
    const owner = idx >= 2 && tokens[idx - 1]!.text === '/' && tokens[idx - 2]!.kind === 'num' ? tokens[idx - 2]! : hit;
    if (!out.has(owner.slot!)) {
      out.set(owner.slot!, c.name);
      aligned++;
    }
  }
  return aligned >= 2 ? out : null;
}

function cellOf(tokens: Token[], target: Token): number {
  let cell = -1;
  for (const t of tokens) {
    if (t === target) return cell;
    if (t.kind === 'punct' && /[|│┃║]/.test(t.text)) cell++;
  }
  return -1;
}
