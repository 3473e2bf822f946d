/** The pieces of the general console reader, each on cases that can fail. */
import { describe, expect, it } from 'vitest';
import { planCounters, type CounterColumns } from '../../src/ingest/console/record-positions.ts';
import { positionStates } from '../../src/ingest/console/bar-positions.ts';
import { barIdentity, PARTIAL_STATE, screenStates, terminalLines, TerminalText } from '../../src/ingest/console/terminal-text.ts';
import { lineShape, slotValue, TemplateMiner, tokenize } from '../../src/ingest/console/template-miner.ts';
import { analyseLine, canonicalName } from '../../src/ingest/console/value-names.ts';

describe('terminal text', () => {
  it('keeps the last state of a bar redrawn with \\r, and the text printed between redraws', () => {
    expect(screenStates(' 10%|█  | 1/10 [00:01<00:09]\r 20%|██ | 2/10 [00:02<00:08]\r100%|███| 10/10 [00:10<00:00]')).toEqual(['100%|███| 10/10 [00:10<00:00]']);
    // A dict printed after a blanking redraw, as the transformers Trainer does, survives beside the bar's state.
    expect(screenStates("  5%|▌  | 1140/21600 [3:00:02<52:29:13]\r                    \r{'loss': 0.0278, 'epoch': 10.56}")).toEqual([
      '  5%|▌  | 1140/21600 [3:00:02<52:29:13]',
      "{'loss': 0.0278, 'epoch': 10.56}",
    ]);
  });

  it('keeps the last state of each of two bars drawn on one line ([Train] then [Val])', () => {
    const line = 'Epoch 1 [Train]: 50%|#  | 1/2 [a, loss=1.0]\rEpoch 1 [Train]: 100%|##| 2/2 [a, loss=0.9]\rEpoch 1 [Val]: 100%|##| 1/1 [b, loss=1.2]';
    expect(screenStates(line)).toEqual(['Epoch 1 [Train]: 100%|##| 2/2 [a, loss=0.9]', 'Epoch 1 [Val]: 100%|##| 1/1 [b, loss=1.2]']);
    expect(barIdentity('Epoch 001 [Val]  : 40%|####')).toBe('Epoch 001 [Val]  :');
    // Lightning redraws its bar for the next epoch on the same line: each epoch's bar keeps its last state.
    expect(screenStates('Epoch 0: 100%|█| 8/8 [00:01, loss=0.69]\rEpoch 1:  50%|▌| 4/8 [00:00, loss=0.68]\rEpoch 1: 100%|█| 8/8 [00:01, loss=0.66]')).toEqual([
      'Epoch 0: 100%|█| 8/8 [00:01, loss=0.69]',
      'Epoch 1: 100%|█| 8/8 [00:01, loss=0.66]',
    ]);
    expect(barIdentity(' 12/100 [==>.....] - ETA: 3s')).toBe('');
  });

  it("a bar's states before its last, one per iteration, when asked (a single bar over the epochs)", () => {
    const bar = (n: number, v: number | null) => `Training: ${n * 25}%|█ | ${n}/4 [00:0${n}<00:01,  1.00s/it${v === null ? '' : `, loss=${v}`}]`;
    /** [counter, loss] of each partial state. */
    const partials = (line: string) =>
      screenStates(line, { barPositions: true })
        .filter((s) => s.endsWith(PARTIAL_STATE))
        .map((s) => [Number(/ (\d+)\/4 /.exec(s)![1]), Number(/loss=([\d.]+)/.exec(s)![1])]);
    // for epoch in (bar := trange(4)): …; bar.set_postfix(loss=…): every iteration's values are shown, the k-th is epoch k.
    const ahead = [bar(0, null), bar(0, 0.9), bar(1, 0.9), bar(1, 0.7), bar(2, 0.7), bar(2, 0.6), bar(3, 0.6), bar(3, 0.5), bar(4, 0.5)].join('\r');
    expect(partials(ahead)).toEqual([[1, 0.9], [2, 0.7], [3, 0.6]]);
    expect(screenStates(ahead, { barPositions: true }).at(-1)).toBe(bar(4, 0.5));
    expect(screenStates(ahead)).toEqual([bar(4, 0.5)]);
    // tqdm's iterator shows a stale counter when iterations are fast: the values still come one per iteration.
    expect(partials([bar(0, null), bar(0, 0.9), bar(1, 0.9), bar(1, 0.7), bar(1, 0.6), bar(1, 0.5), bar(4, 0.5)].join('\r'))).toEqual([[1, 0.9], [2, 0.7], [3, 0.6]]);
    // bar.update(1); bar.set_postfix(loss=…): the values follow the counter.
    const behind = [bar(0, null), bar(1, null), bar(1, 0.9), bar(2, 0.9), bar(2, 0.7), bar(3, 0.7), bar(3, 0.6), bar(4, 0.6), bar(4, 0.5)].join('\r');
    expect(partials(behind)).toEqual([[1, 0.9], [2, 0.7], [3, 0.6]]);
    // Fewer values shown than iterations (set_postfix(refresh=False)): by the counter, the first state at each position
    // when a value was shown at 0 (values run ahead), else the last.
    expect(partials([bar(0, 0.9), bar(1, 0.9), bar(2, 0.6), bar(3, 0.6), bar(4, 0.5)].join('\r'))).toEqual([[0, 0.9], [1, 0.9], [2, 0.6], [3, 0.6]]);
    expect(partials([bar(1, 0.9), bar(2, 0.9), bar(2, 0.6), bar(3, 0.6), bar(4, 0.5)].join('\r'))).toEqual([[1, 0.9], [2, 0.6], [3, 0.6]]);
    // No postfix, or one position: nothing but the last state.
    expect(screenStates([bar(0, null), bar(1, null), bar(2, null), bar(4, null)].join('\r'), { barPositions: true })).toEqual([bar(4, null)]);
    expect(positionStates([bar(4, 0.6), bar(4, 0.5), bar(4, 0.4)])).toEqual([]);
  });

  it('treats Keras backspace runs as a return to the line start, drops colours, splits at cursor moves', () => {
    expect(screenStates('\x1b[1m 1/12\x1b[0m - loss: 0.9\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08 12/12 - loss: 0.5')).toEqual([' 12/12 - loss: 0.5']);
    expect(screenStates('step=200]\x1b[A05/09 INFO acc = 0.58')).toEqual(['step=200]', '05/09 INFO acc = 0.58']);
    expect(screenStates('\x1b]0;title\x07loss: \x1b[32m0.5\x1b[0m')).toEqual(['loss: 0.5']);
  });

  it('numbers physical lines across CRLF, blank lines and code fences, and across chunks split anywhere', () => {
    const text = '```\r\nEpoch 1/2\r\n\r\nloss: 0.5\r\n```\nlast line without newline';
    expect(terminalLines(text)).toEqual([
      { text: 'Epoch 1/2', line: 2 },
      { text: 'loss: 0.5', line: 4 },
      { text: 'last line without newline', line: 6 },
    ]);
    const got: string[] = [];
    const t = new TerminalText();
    for (const chunk of ['Epo', 'ch 1/2\r', '\nloss: 0.', '5\r0.4\n', 'tail']) t.push(chunk, (s) => got.push(s));
    // `0.4` redrawn over `loss: 0.5` is not a state of the same thing: both are kept.
    expect(got).toEqual(['Epoch 1/2', 'loss: 0.5', '0.4']);
    t.end((s) => got.push(s));
    expect(got.at(-1)).toBe('tail');
    expect(t.lines).toBe(3);
  });
});

describe('template miner', () => {
  it('masks numbers, timestamps, durations, versions and source locations; groups lines by what remains', () => {
    const a = lineShape('2018-03-23 15:29:33,355:INFO: train loss:1.10886');
    const b = lineShape('2018-03-24 01:02:03,999:INFO: train loss:0.9');
    expect(a.key).toBe(b.key);
    expect(a.slots).toEqual(['1.10886']);
    expect(lineShape('I0821 09:30:33.130055  5405 solver.cpp:222] Iteration 9400, loss = 0.005067').slots).toEqual(['5405', '9400', '0.005067']);
    expect(lineShape('wandb version 0.13.2 is available').slots).toEqual([]);
    expect(lineShape('Step: 1s194ms | Tot: 45s885ms | Loss: 2.703').key).toBe(lineShape('Step: 75ms | Tot: 3s | Loss: 1.9').key);
    // Padding blanks after a colon or inside parentheses do not split a template.
    expect(lineShape('NER loss: 9.423071').key).toBe(lineShape('NER loss:39.714867').key);
    expect(lineShape('Train:  1/80 (  1%)').key).toBe(lineShape('Train: 10/80 (100%)').key);
  });

  it("a time first on the line is no part of the template: Rich's log handler blanks it when it repeats", () => {
    const shown = lineShape('[12/07/26 19:29:17] INFO     Epoch 1: train_loss=2.2819             train.py:1143');
    const blank = lineShape('                    INFO     Epoch 2: train_loss=2.2108             train.py:1143');
    expect(shown.key).toBe(blank.key);
    expect(shown.slots).toEqual(['1', '2.2819']);
    // A locale's date alone (`log_time_format='[%x]'`): two slashes make it a date, never a counter.
    expect(lineShape('[12/07/26] INFO     Epoch 1: train_loss=2.2819').key).toBe(lineShape('           INFO     Epoch 2: train_loss=2.2108').key);
    expect(lineShape('[12/07/26] INFO     Epoch 1: train_loss=2.2819').slots).toEqual(['1', '2.2819']);
    expect(lineShape('batch 12/07 loss 0.5').slots).toEqual(['12', '07', '0.5']);
    expect(lineShape('2018-03-23 15:29:33,355 loss 0.5').key).toBe(lineShape('loss 0.7').key);
    // Elsewhere on the line a time stays in the key.
    expect(lineShape('loss 0.5 at 15:29:33').key).not.toBe(lineShape('loss 0.5 at').key);
  });

  it("masks loguru's module:function:line (a function named epoch or batch is no counter), not a name:value pair", () => {
    const a = lineShape('2026-12-07 19:30:02.129 | INFO     | __main__:epoch:1113 - Epoch 2/5 | train_loss=2.21078 | val_loss=2.18790');
    expect(a.slots).toEqual(['2', '5', '2.21078', '2.18790']);
    expect(a.key).toBe(lineShape('2026-12-07 19:30:09.871 | INFO     | __main__:epoch:1113 - Epoch 3/5 | train_loss=2.12705 | val_loss=2.09373').key);
    expect(lineShape('12:01:02 | DEBUG | trainer.loop:<module>:42 | step 5: loss=2.3').slots).toEqual(['5', '2.3']);
    expect(lineShape('[train:fit_epoch:87] loss: 0.5').slots).toEqual(['0.5']);
    // One colon is a name and its value; a number after it that goes on (0.5) is no line number.
    expect(lineShape('epoch:3 - loss:0.5').slots).toEqual(['3', '0.5']);
    expect(lineShape('train:loss:0.51 - val:loss:0.62').slots).toEqual(['0.51', '0.62']);
  });

  it('keeps identifiers with digits whole (mAP50-95, s0.loss_cls, top5) and reads units glued to numbers', () => {
    expect(lineShape('mAP50-95: 0.45 top5:97.5 s0.loss_cls: 0.19').slots).toEqual(['0.45', '97.5', '0.19']);
    expect(tokenize('3.12it/s 418s 97.3% 25K 1e-05 nan -inf').filter((t) => t.kind === 'num').map((t) => [t.text, t.unit])).toEqual([
      ['3.12it/s', 'it/s'], ['418s', 's'], ['97.3%', '%'], ['25K', 'K'], ['1e-05', ''], ['nan', ''], ['-inf', ''],
    ]);
    expect([slotValue('25K'), slotValue('1.5e-4'), slotValue('nan'), slotValue('-inf'), slotValue('1629511453423918336.000000')]).toEqual([25000, 1.5e-4, NaN, -Infinity, 1629511453423918336]);
  });

  it('masks progress-bar glyphs so every state of a bar is one template', () => {
    expect(lineShape('Epoch 0:  5%|▌         | 23/455 [00:10<03:17,  2.19it/s, loss=8.640]').key).toBe(
      lineShape('Epoch 0: 96%|█████████▌| 435/455 [02:58<00:08,  2.43it/s, loss=6.380]').key,
    );
    expect(lineShape(' 3/19 [===>..........................] - ETA: 24s - loss: 1.41').key).toBe(lineShape('12/19 [=================>............] - ETA: 4s - loss: 1.47').key);
  });

  it('analyses a template once, counts its lines, and stops remembering new shapes past its cap', () => {
    let analysed = 0;
    const m = new TemplateMiner<number>(() => ++analysed, 2);
    for (const l of ['a 1', 'a 2', 'b 1', 'c 1', 'c 2']) m.add(lineShape(l).key, l, 1);
    expect(analysed).toBe(2);
    expect(m.templates.map((t) => [t.key, t.count])).toEqual([['a #', 2], ['b #', 1]]);
    expect(m.uncounted).toBe(2);
  });
});

describe('value names', () => {
  const roles = (line: string) => analyseLine(line).slots.map((s) => (s.role === 'metric' ? `${s.canon}` : s.role));

  it('reads names before values in every usual spelling', () => {
    expect(roles("loss: 0.5 loss2=0.4 'acc': 0.9 cost = 15.2 train-rmse:7.1 [lr:0.01] Valid loss: 5.1")).toEqual(['loss', 'loss2', 'acc', 'cost', 'train-rmse', 'lr', 'val_loss']);
    expect(roles('loss 0.5')).toEqual(['loss']);
    expect(roles("{'loss': '0.6936', 'learning_rate': '5e-05', 'epoch': '0.5'}")).toEqual(['loss', 'learning_rate', 'epoch']);
  });

  it('gives unqualified names the split of the nearest split word before them, on the line', () => {
    expect(roles('Epoch 3 Train Loss: 1.69 Val Loss: 1.21')).toEqual(['epoch', 'train_loss', 'val_loss']);
    expect(roles('Validation loss: 0.406, acc: 0.858, F1: 0.462')).toEqual(['val_loss', 'val_acc', 'val_f1']);
    expect(roles('epoch [3]: training loss: 1.07 - acc: 0.51 - val_loss: 1.43')).toEqual(['epoch', 'train_loss', 'acc', 'val_loss']);
    // Identifiers carry their own split and do not pass it on: Keras' lr after val_accuracy is the learning rate.
    expect(roles('loss: 0.5 - val_accuracy: 0.9 - lr: 0.01')).toEqual(['loss', 'val_accuracy', 'lr']);
  });

  it('reads a value named after it only with words that really name such things', () => {
    expect(roles('0 completed epochs, 100 batches   Average training batch loss: nan')).toEqual(['epoch', 'batch', 'train_loss']);
    expect(roles('epoch 3: 0.512 loss')).toEqual(['epoch', 'loss']);
    expect(roles('2 classes, 145 images')).toEqual(['ignore', 'ignore']);
  });

  it('does not read timings, counts, sizes, dates or hyperparameters as metrics', () => {
    expect(roles('215424/215375 [====] - 418s - train loss: 3.7656').slice(2)).toEqual(['ignore', 'train_loss']);
    expect(roles('Epoch:[  0/120],step:[100/197],img_size:[416],total_loss:327.8|time: 35.6s|ETA 0:01:02')).toEqual(['epoch', 'total', 'step', 'total', 'ignore', 'total_loss', 'ignore']);
    expect(roles('(bn1): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True)').filter((r) => r === 'eps')).toEqual([]);
    expect(roles('Namespace(epochs=12, lr=20, batch_size=32)')).toEqual(['ignore', 'lr', 'ignore']);
    expect(roles('Inference done 11/3334. Dataloading: 0.0011 s/iter. Inference: 0.0355 s/iter.')).toEqual(['ignore', 'ignore', 'ignore', 'ignore']);
  });

  it('reads counters: n/N totals, bracketed rounds, inner brackets, `at step n:` phrases', () => {
    expect(roles('Train Epoch: 1 [640/60000 (1%)]\tLoss: 2.25')).toEqual(['epoch', 'counter', 'total', 'ignore', 'loss']);
    expect(roles('[1]\ttrain-rmse:7.109038\tvalidation-rmse:7.085521')).toEqual(['counter', 'train-rmse', 'validation-rmse']);
    expect(roles('Epoch [1][50/271]\tlr: 4.983e-04, loss: 0.68')).toEqual(['epoch', 'counter', 'total', 'lr', 'loss']);
    expect(roles('validation loss at step 10: 7.684776, the acc is: 0.006736')).toEqual(['step', 'val_loss', 'val_acc']);
    expect(roles('Test set: Average loss: 0.0470, Accuracy: 9847/10000 (98%)')).toEqual(['test_loss', 'test_accuracy', 'total', 'ignore']);
  });

  it('canonicalises prose names for the shared normaliser', () => {
    expect(canonicalName(['Average', 'training', 'batch', 'loss']).canon).toBe('train_loss');
    expect(canonicalName(['Valid', 'loss']).canon).toBe('val_loss');
    expect(canonicalName(['TrainAcc']).canon).toBe('train_acc');
    expect(canonicalName(['avg_val_loss']).canon).toBe('val_loss');
    expect(canonicalName(['learning', 'rate']).canon).toBe('learning_rate');
    expect(canonicalName(["valid_1's", 'auc']).canon).toBe('val_auc');
  });

  it('finds a table header and names a row by the columns its numbers sit under', () => {
    const header = analyseLine('      Epoch    GPU_mem   box_loss   cls_loss  Instances       Size').header!;
    expect(header.cells.map((c) => c.name)).toEqual(['Epoch', 'GPU_mem', 'box_loss', 'cls_loss', 'Instances', 'Size']);
    const row = analyseLine('      2/100         0G      3.458      5.648         30        320: 100%', header);
    expect(row.slots.map((s) => (s.namedBy === 'header' ? `${s.role}:${s.canon}` : s.role))).toEqual(['epoch:epoch', 'total', 'ignore', 'metric:box_loss', 'metric:cls_loss', 'ignore:instances', 'ignore:size', 'ignore']);
    expect(analyseLine('| category | AP | category | AP |').header).toBeNull();
    expect(analyseLine('  | Name  | Type   | Params | Mode').header).toBeNull();
  });

  it('a line of two cells, a name and its value (`  lr    | 1.00e-01`, `| loss | 0.41 |`); not a row of several pairs', () => {
    const named = (line: string) => analyseLine(line).slots.map((x) => `${x.role}:${x.canon}`);
    expect(named('  lr    | 1.00e-01')).toEqual(['metric:lr']);
    expect(named('| val loss | 0.41 |')).toEqual(['metric:val_loss']);
    expect(named('| drum | 2.888 | hippopotamus | 5.431 |')).toEqual(['ignore:', 'ignore:']);
    expect(named('Epoch 3 | 0.41')).toEqual(['epoch:epoch', 'ignore:']);
  });

  it("a header whose names have blanks in them (scikit-learn's boosting table), when two name a measure or a position", () => {
    const header = analyseLine('      Iter       Train Loss      OOB Improve   Remaining Time ').header!;
    expect(header.cells.map((c) => c.name)).toEqual(['Iter', 'Train Loss', 'OOB Improve', 'Remaining Time']);
    const row = analyseLine('        10           0.7767           0.0407            0.48s', header);
    expect(row.slots.map((s) => `${s.role}:${s.canon}`)).toEqual(['step:iter', 'metric:train_loss', 'metric:oob_improve', 'ignore:']);
    // Prose with wide gaps is no header: one measure word, or names of many words.
    expect(analyseLine('Loss curve  saved  to disk').header).toBeNull();
    expect(analyseLine('Training finished  best validation loss reached  at epoch').header).toBeNull();
  });
});

describe('record positions: counter roles settled on the numbers', () => {
  const cols = (over: Partial<CounterColumns>, data: Record<number, number[]>): CounterColumns => ({
    epoch: [], step: [], batch: [], counter: [], weakEpoch: [], totals: new Map(), afterBracket: new Set(),
    values: (s) => data[s]!, records: Object.values(data)[0]!.length, ...over,
  });

  it('a step counter that falls back when another advances is the inner one (iteration:1 step:16/652)', () => {
    const plan = planCounters(cols({ step: [0, 1], totals: new Map([[1, 2]]) }, { 0: [1, 1, 1, 2, 2, 2], 1: [16, 32, 48, 16, 32, 48], 2: [652, 652, 652, 652, 652, 652] }));
    expect([plan.epoch, plan.batch, plan.batchTotal, plan.step]).toEqual([0, 1, 2, -1]);
  });

  it('a step counter that moves on every line is the step, not an epoch (Acc_iter beside Train: 3/80 [23/464])', () => {
    const plan = planCounters(cols({ counter: [0, 2], step: [4], totals: new Map([[0, 1], [2, 3]]) }, {
      0: [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], 1: Array(12).fill(80), 2: [100, 200, 300, 400, 100, 200, 300, 400, 100, 200, 300, 400], 3: Array(12).fill(464),
      4: [100, 200, 300, 400, 564, 664, 764, 864, 1028, 1128, 1228, 1328],
    }));
    expect([plan.epoch, plan.batch, plan.step]).toEqual([0, 2, 4]);
  });

  it('a bar always at n = N is a finished bar; two such bars taking turns are training and evaluation', () => {
    const plan = planCounters(cols({ counter: [0], totals: new Map([[0, 1]]) }, { 0: [391, 100, 391, 100], 1: [391, 100, 391, 100] }));
    expect(plan.finishedBar).toBe(true);
    expect(plan.variantTotals).toEqual([391, 100]);
    const appended = planCounters(cols({ counter: [0], totals: new Map([[0, 1]]) }, { 0: [50, 50, 50, 50, 40, 40, 40, 40], 1: [50, 50, 50, 50, 40, 40, 40, 40] }));
    expect(appended.variant).toBe(-1);
  });

  it('a rounded step (step:25K) that repeats while the fractional epoch moves is rebuilt from the epoch', () => {
    const plan = planCounters(cols({ epoch: [0], step: [1] }, { 0: [0.5, 1.0, 1.5, 2.0], 1: [1000, 2000, 2000, 2000] }));
    expect(plan.stepFromEpoch).toBeGreaterThan(900);
  });

  it('a batch count that never falls back while epochs pass counts all batches: a step', () => {
    const plan = planCounters(cols({ epoch: [0], batch: [1] }, { 0: [0, 0, 1, 1], 1: [100, 200, 300, 400] }));
    expect([plan.epoch, plan.step, plan.batch]).toEqual([0, 1, -1]);
  });
});
