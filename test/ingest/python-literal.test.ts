/**
 * Python literals as print() and pprint write them (python-literal.ts), and whole histories printed that way read as
 * their JSON dumps would (literal-history.ts): Keras' history.history, the Trainer's log_history, LightGBM's
 * evals_result, a defaultdict of NumPy means. Bad literals get their line, column and what was expected.
 */
import { describe, expect, it } from 'vitest';
import type { RunLog } from '../../src/domain/run.ts';
import { parseFile } from '../../src/ingest/index.ts';
import { joinLiteralLines, parsePythonLiteral } from '../../src/ingest/python-literal.ts';
import { ingestErrorOf } from '../support/ingest-helpers.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const read = (text: string, name = 'paste.txt'): RunLog[] => parseFile(enc(text), name);
const py = (text: string) => parsePythonLiteral(text, 'x.txt');
const values = (run: RunLog, name: string) => [...run.series.find((s) => s.name === name)!.values];

describe('Python literals', () => {
  it('reads quotes, True/False/None, nan/inf, tuples, sets, trailing commas and non-string keys', () => {
    expect(py(`{'a': [1, 2.5, -3e-2, nan, inf, -inf], "b": (True, False, None), 'c': {1, 2}, 3: 'x\\'y', 'd': [1,],}`)).toEqual({
      a: [1, 2.5, -0.03, NaN, Infinity, -Infinity],
      b: [true, false, null],
      c: [1, 2],
      3: "x'y",
      d: [1],
    });
    expect(py("(0.5,)")).toEqual([0.5]);
    expect(py("b'bytes'")).toBe('bytes');
  });

  it("unwraps NumPy 2, torch and TensorFlow scalars and the mapping calls' reprs", () => {
    expect(py('[np.float32(0.5), np.float64(nan), np.int64(3), float(\'inf\'), Decimal(\'0.25\')]')).toEqual([0.5, NaN, 3, Infinity, 0.25]);
    expect(py("{'loss': tensor(0.6931, grad_fn=<NllLossBackward0>), 'acc': tensor(0.5000, device='cuda:0', dtype=torch.float64)}")).toEqual({ loss: 0.6931, acc: 0.5 });
    expect(py("array([0.1, 0.2], dtype=float32)")).toEqual([0.1, 0.2]);
    expect(py("<tf.Tensor: shape=(), dtype=float32, numpy=0.53>")).toBe(0.53);
    expect(py("defaultdict(<class 'list'>, {'loss': [np.float32(0.9)]})")).toEqual({ loss: [0.9] });
    expect(py("OrderedDict([('auc', [1.0, 0.5]), ('l2', [0.3])])")).toEqual({ auc: [1, 0.5], l2: [0.3] });
    expect(py("OrderedDict({'auc': [1.0]})")).toEqual({ auc: [1] });
    expect(py('dict(loss=[1, 2], acc=[0.5, 0.6])')).toEqual({ loss: [1, 2], acc: [0.5, 0.6] });
    expect(py('[np.nan, math.inf, torch.float32]')).toEqual([NaN, Infinity, 'torch.float32']);
  });

  it('joins a literal wrapped over lines, taking out a break inside a number or a string', () => {
    expect(joinLiteralLines(["{'loss': [0.48075", '43924, 0.3],', " 'val_l", "oss': [1.0]}"])).toBe("{'loss': [0.4807543924, 0.3],\n 'val_loss': [1.0]}");
    expect(py(joinLiteralLines(["{'accuracy': [0.28,", '              0.46],', " 'loss': [2.2, 1.8]}"]))).toEqual({ accuracy: [0.28, 0.46], loss: [2.2, 1.8] });
  });

  it('says where a literal is malformed and what was expected there', () => {
    const cases: Array<[string, number, RegExp]> = [
      ["{'loss': [0.5, 0.4}", 1, /^column 19: expected ',' or '\]' after an element, found '\}'/],
      ["{'loss': [0.5,\n 0.4]\n 'acc': [1]}", 3, /^column 2: expected ',' or '\}' after the value of 'loss', found the string 'acc'/],
      ["{'loss': [0.1, 0.2, ..., 0.9]}", 1, /^column 21: an elided list \('\.\.\.'\): the values between were not printed/],
      ["{'loss: [0.5]}", 1, /^column 2: a line break inside a quoted string|^column 2: unterminated string/],
      ["{'loss': [0.5x]}", 1, /^column 11: malformed number '0.5x'/],
      ["{'loss': banana}", 1, /^column 10: expected a value .* found 'banana'/],
    ];
    for (const [text, line, reason] of cases) {
      const err = ingestErrorOf(() => py(text));
      expect([err.line, err.reason], text).toEqual([line, expect.stringMatching(reason)]);
    }
  });
});

describe('histories printed whole', () => {
  const history = "{'loss': [2.4027, 2.0000, 1.6570], 'accuracy': [0.0389, 0.2000, 0.3372], 'val_loss': [2.5, 2.0831, nan], 'val_accuracy': [0.0, 0.1668, 0.3033]}";

  it("print(history.history): the whole history at once, per-epoch lists by name", () => {
    const [run] = read(history);
    expect(run!.format).toBe('keras_history');
    expect(run!.notes[0]).toBe('read from a printed Python literal');
    expect(Object.fromEntries(run!.series.map((s) => [s.name, [s.key, s.split, s.cadence, [...s.steps]]]))).toEqual({
      loss: ['loss', 'train', 'epoch', [0, 1, 2]],
      accuracy: ['accuracy', 'train', 'epoch', [0, 1, 2]],
      val_loss: ['loss', 'val', 'epoch', [0, 1, 2]],
      val_accuracy: ['accuracy', 'val', 'epoch', [0, 1, 2]],
    });
    expect(values(run!, 'val_loss')).toEqual([2.5, 2.0831, NaN]);
  });

  it('the same after a prompt, wrapped by pprint, and inside other console output', () => {
    const wrapped = history.replace(/, '/g, ",\n '").replace(/, (?=\d)/g, ',\n          ');
    for (const text of [`>>> print(history.history)\n${history}\n`, `In [7]: history.history\nOut[7]: ${history}\n`, wrapped, `Epoch 1/3\nsome warning\n${wrapped}\n<keras.src.callbacks.history.History object at 0x7f>\n`]) {
      const [run] = read(text);
      expect(values(run!, 'loss'), text).toEqual([2.4027, 2, 1.657]);
      expect(values(run!, 'val_accuracy'), text).toEqual([0, 0.1668, 0.3033]);
    }
  });

  it("a list of the Trainer's log dicts reads as trainer_state's log_history", () => {
    const logs = "[{'loss': 0.69, 'grad_norm': 0.2, 'learning_rate': 0.0045, 'epoch': 0.4, 'step': 4}, {'loss': 0.6, 'grad_norm': 0.3, 'learning_rate': 0.004, 'epoch': 0.8, 'step': 8}, {'eval_loss': 0.62, 'eval_runtime': 0.1, 'epoch': 1.0, 'step': 10}, {'eval_loss': 0.5, 'epoch': 2.0, 'step': 20}, {'train_runtime': 3.2, 'train_loss': 0.6, 'epoch': 2.0, 'step': 20}]";
    const [run] = read(logs);
    expect(run!.format).toBe('hf_trainer_state');
    expect(values(run!, 'loss')).toEqual([0.69, 0.6]);
    expect([...run!.series.find((s) => s.name === 'eval_loss')!.steps]).toEqual([10, 20]);
  });

  it("LightGBM's evals_result: the sets' splits, one point per boosting round", () => {
    const text = "{'training': OrderedDict([('binary_logloss', [np.float64(0.63), np.float64(0.58)]), ('auc', [np.float64(0.95), np.float64(0.953)])]), 'valid_1': OrderedDict([('binary_logloss', [np.float64(0.64), np.float64(0.59)])])}";
    const [run] = read(text);
    expect(run!.series.map((s) => [s.name, s.key, s.split, s.cadence])).toEqual([
      ['train_binary_logloss', 'binary_logloss', 'train', 'step'],
      ['train_auc', 'auc', 'train', 'step'],
      ['val_binary_logloss', 'binary_logloss', 'val', 'step'],
    ]);
    expect(run!.notes).toContain('evaluation sets training → train, valid_1 → val; one value per boosting round');
  });

  it('refuses a literal that holds no history, saying what it holds and what was expected', () => {
    expect(ingestErrorOf(() => read("{'loss': 0.41, 'accuracy': 0.88}")).reason).toMatch(/^a single set of values \(loss, accuracy\), not a training history: expected per-epoch lists/);
    expect(ingestErrorOf(() => read("{'loss': [0.5, 0.4], 'acc': [0.1,\n 0.2]\n 'lr': [1]}")).reason).toMatch(/^column 2: expected ',' or '\}' after the value of 'acc'/);
    expect(ingestErrorOf(() => read("{'loss': [0.1, 0.2, ..., 0.9]}")).reason).toMatch(/an elided list/);
    // The same after TensorFlow's warnings: the literal's error, not 'no loss-like column' for its commas.
    const after = ingestErrorOf(() => read("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n{'accuracy': [0.28,\n              0.46],\n 'loss': [2.2,\n          1.8"));
    expect([after.line, after.reason]).toEqual([4, "a history printed as a literal, malformed: column 10: unterminated list: expected ']'"]);
    // Console text that starts with a bracket is not called malformed JSON.
    expect(ingestErrorOf(() => read('[default0]:Epoch 0: train loss 2.2512, val loss 2.1897\n')).reason).toMatch(/^not a recognised training log/);
    // scikit-learn's cross_validate(): one value per fold, no curve (printed by scikit-learn 1.9).
    const cv = "{'fit_time': array([0.14172649, 0.15775561, 0.03728986]), 'score_time': array([0.00181127, 0.00218129, 0.00119376]), 'test_score': array([0.96666667, 1.        , 0.93333333]), 'train_score': array([0.96666667, 0.96666667, 0.98333333])}";
    expect(ingestErrorOf(() => read(cv)).reason).toMatch(/^the printed Python literal holds scikit-learn's cross-validation results \(one value per fold, not per epoch\), not a training history/);
    // A paste cut off in the middle (a chat's length limit): where the literal stays open, not a CSV complaint.
    const cut = ingestErrorOf(() => read("{'loss': [2.4,\n          2.0],\n 'val_loss': [2.5,\n"));
    expect([cut.line, cut.reason]).toEqual([3, "column 14: unterminated list: expected ']'"]);
  });

  it('refuses a history whose lists under a measurement hold no numbers, naming the key and the first value that is not one', () => {
    expect(ingestErrorOf(() => read("{'loss': ['a', 'b']}")).reason).toBe(
      "the printed Python literal: the values under 'loss' are not numbers (the first that is not: 'a'): expected per-epoch lists of numbers such as {'loss': [2.3, 1.9, …], 'val_loss': […]}",
    );
    // Beside a list of numbers the literal is a history, and its reader names the value's place.
    expect(ingestErrorOf(() => read("{'accuracy': [0.5, 0.6], 'val_loss': [None, 'n/a', 0.7]}")).reason).toBe('expected a number (one per epoch), found "n/a"');
    expect(ingestErrorOf(() => read("{'val_loss': [None, [0.7, 0.6]]}")).reason).toMatch(/^the printed Python literal: the values under 'val_loss' are not numbers \(the first that is not: a list\)/);
    // Lists under other names are no history gone wrong: the dict is said to be something else.
    expect(ingestErrorOf(() => read("{'milestones': ['a', 'b']}")).reason).toMatch(/^the printed Python literal holds a dict with keys 'milestones', not a training history/);
  });

  it('leaves the Trainer\'s one-dict-per-line prints and config dicts to the line reader', () => {
    const lines = "{'loss': 0.69, 'learning_rate': 5e-05, 'epoch': 0.5}\n{'loss': 0.61, 'learning_rate': 4e-05, 'epoch': 1.0}\n";
    expect(read(lines)[0]!.format).toBe('console_text');
    // A config printed before training (anchor sizes, strides) is not a history.
    const config = "[{'class_name': 'Car', 'anchor_sizes': [[3.9, 1.6, 1.56]], 'feature_map_stride': 8, 'matched_threshold': 0.6}, {'class_name': 'Ped', 'anchor_sizes': [[0.8, 0.6, 1.73]], 'feature_map_stride': 8, 'matched_threshold': 0.5}]";
    const [run] = read(`${config}\nepoch 1 loss 0.9\nepoch 2 loss 0.8\nepoch 3 loss 0.7\n`);
    expect(run!.series.map((s) => s.name)).toEqual(['loss']);
  });
});
