/** LiveSeries: idempotent appends by step per metric, epoch cadence guess, and what counts as alert-worthy. */
import { describe, expect, it } from 'vitest';
import { LiveSeries } from '../../src/app/live-series.ts';

describe('LiveSeries', () => {
  it('skips points at or below the last step of each metric and grows past its initial capacity', () => {
    const live = new LiveSeries();
    const batch = Array.from({ length: 100 }, (_, i) => ({ step: i, metrics: { loss: 1 / (i + 1) } }));
    expect(live.append(batch)).toMatchObject({ accepted: 100, duplicates: 0 });
    expect(live.append(batch)).toMatchObject({ accepted: 0, duplicates: 100, added: [] });
    // A new metric at old steps is new data; the old metric there is not.
    const out = live.append([{ step: 50, metrics: { loss: 9, val_loss: 0.5 } }, { step: 100, metrics: { loss: 0.01 } }]);
    expect(out).toMatchObject({ accepted: 2, duplicates: 1 });
    expect(out.added.map((s) => [s.name, [...s.steps]])).toEqual([
      ['val_loss', [50]],
      ['loss', [100]],
    ]);
    const [loss] = live.series();
    expect(loss!.values.length).toBe(101);
    expect(loss!.values[100]).toBe(0.01);
    expect(live.points).toBe(102);
  });

  it('guesses epoch cadence when step equals epoch, and flags only the first NaN and each new epoch', () => {
    const live = new LiveSeries();
    expect(live.append([{ step: 0, epoch: 0, metrics: { loss: 1 } }]).alertWorthy).toBe(false);
    expect(live.series()[0]!.cadence).toBe('epoch');
    expect(live.append([{ step: 1, epoch: 1, metrics: { loss: 0.5 } }]).alertWorthy).toBe(true);
    const steps = new LiveSeries();
    steps.append([{ step: 10, epoch: 0.1, metrics: { loss: 1 } }]);
    expect(steps.series()[0]!.cadence).toBe('step');
    expect(steps.append([{ step: 11, epoch: 0.11, metrics: { loss: 0.9 } }]).alertWorthy).toBe(false);
    expect(steps.append([{ step: 12, epoch: 0.12, metrics: { loss: null } }]).alertWorthy).toBe(true);
    expect(steps.append([{ step: 13, epoch: 0.13, metrics: { loss: null } }]).alertWorthy).toBe(false);
  });

  it('rebuilds from stored series, keeping the high-water mark', () => {
    const live = new LiveSeries();
    live.append([{ step: 0, metrics: { loss: 1 } }, { step: 1, metrics: { loss: NaN } }]);
    const again = LiveSeries.fromStored(live.series());
    expect(again.append([{ step: 1, metrics: { loss: 2 } }]).duplicates).toBe(1);
    expect(again.append([{ step: 2, metrics: { loss: null } }]).alertWorthy).toBe(false);
  });

  it('undoes an append (a batch the store refused) and continues with points stored by another process', () => {
    const snapshot = (l: LiveSeries) => l.series().map((x) => [x.name, x.cadence, [...x.steps], x.epochs && [...x.epochs], [...x.values]]);
    const live = new LiveSeries();
    live.append([{ step: 0, epoch: 0, metrics: { loss: 2, acc: 0.2 } }, { step: 1, epoch: 0.5, metrics: { loss: 1.5, acc: 0.3 } }]);
    const before = snapshot(live);
    const mark = live.checkpoint();
    const out = live.append([{ step: 2, epoch: 1, metrics: { loss: null, acc: 0.4, lr: 0.1 } }]);
    expect(out.alertWorthy).toBe(true);
    expect(live.restore(mark)).toBe(true);
    expect(snapshot(live)).toEqual(before);
    expect([live.points, live.maxEpoch]).toEqual([4, 0.5]);
    // What another process stored meanwhile (its own step 2, a NaN, a new series), then the same batch again.
    live.extendStored([
      { key: 'loss', split: 'train', name: 'loss', direction: 'lower', cadence: 'step', steps: Float64Array.of(2, 3), epochs: Float64Array.of(1, 1.5), wallTimes: null, values: Float64Array.of(1.2, NaN) },
      { key: 'lr', split: 'train', name: 'lr', direction: 'lower', cadence: 'step', steps: Float64Array.of(3), epochs: null, wallTimes: null, values: Float64Array.of(0.1) },
    ]);
    const again = live.append([{ step: 2, epoch: 1, metrics: { loss: null, acc: 0.4, lr: 0.1 } }, { step: 4, epoch: 1.5, metrics: { loss: null, acc: 0.5 } }]);
    expect(again).toMatchObject({ accepted: 3, duplicates: 2, alertWorthy: false });
    expect([...live.series().find((x) => x.name === 'loss')!.steps]).toEqual([0, 1, 2, 3, 4]);
    // Equal to the same run rebuilt from its stored series at once.
    expect(snapshot(LiveSeries.fromStored(live.series()))).toEqual(snapshot(live));
  });

  it('will not undo an append that rescaled earlier points from percent in place', () => {
    const live = new LiveSeries();
    live.append([{ step: 0, metrics: { accuracy: 0.5 } }]);
    const mark = live.checkpoint();
    expect(live.append([{ step: 1, metrics: { accuracy: 45 } }]).percent).toEqual([{ name: 'accuracy', rescaleStored: true }]);
    expect(live.restore(mark)).toBe(false);
  });

  describe('accuracy in percent', () => {
    const acc = (live: LiveSeries, name = 'accuracy') => [...live.series().find((x) => x.name === name)!.values];

    it('is scaled to 0–1 from the first batch that shows it, and every later batch of the run too', () => {
      const live = new LiveSeries();
      const first = live.append([{ step: 0, metrics: { accuracy: 45.0, loss: 2 } }, { step: 1, metrics: { accuracy: 52.3, loss: 1.5 } }]);
      expect(first.percent).toEqual([{ name: 'accuracy', rescaleStored: false }]);
      expect([...first.added.find((x) => x.name === 'accuracy')!.values]).toEqual([45.0 / 100, 52.3 / 100]);
      const later = live.append([{ step: 2, metrics: { accuracy: 60.1, loss: 1.2 } }]);
      expect(later.percent).toEqual([]);
      expect([...later.added.find((x) => x.name === 'accuracy')!.values]).toEqual([60.1 / 100]);
      expect(acc(live)).toEqual([0.45, 0.523, 60.1 / 100]);
      // Only accuracy-like metrics: a loss of 2 is a loss of 2.
      expect(acc(live, 'loss')).toEqual([2, 1.5, 1.2]);
    });

    it('rescales the earlier points when a later batch shows percent after values all ≤ 1, and says the store must too', () => {
      const live = new LiveSeries();
      expect(live.append([{ step: 0, metrics: { val_acc: 0.5 } }, { step: 1, metrics: { val_acc: 0.8 } }]).percent).toEqual([]);
      const out = live.append([{ step: 2, metrics: { val_acc: 45 } }]);
      expect(out.percent).toEqual([{ name: 'val_acc', rescaleStored: true }]);
      expect(out.alertWorthy).toBe(true);
      expect([...out.added[0]!.values]).toEqual([0.45]);
      expect(acc(live, 'val_acc')).toEqual([0.5 / 100, 0.8 / 100, 0.45]);
      expect(live.percentNames()).toEqual(['val_acc']);
    });

    it('leaves fractions, values above 100 and metrics file ingest would not scale as sent', () => {
      const live = new LiveSeries();
      live.append([{ step: 0, metrics: { accuracy: 0.3, train_acc: 150, top5_accuracy: 45 } }, { step: 1, metrics: { accuracy: 1, train_acc: 45, top5_accuracy: 50 } }]);
      expect(acc(live)).toEqual([0.3, 1]);
      expect(acc(live, 'train_acc')).toEqual([150, 45]);
      expect(acc(live, 'top5_accuracy')).toEqual([45, 50]);
      expect(live.percentNames()).toEqual([]);
    });

    it('after a restart, keeps scaling a series stored in percent without rescaling it twice', () => {
      const live = new LiveSeries();
      live.append([{ step: 0, metrics: { accuracy: 45 } }]);
      const again = LiveSeries.fromStored(live.series(), live.percentNames());
      const out = again.append([{ step: 1, metrics: { accuracy: 50 } }]);
      expect(out.percent).toEqual([]);
      expect(acc(again)).toEqual([0.45, 0.5]);
      // Without the names it would take the stored 0.45 for a fraction and rescale it again: the names matter.
      const forgetful = LiveSeries.fromStored(live.series());
      expect(forgetful.append([{ step: 1, metrics: { accuracy: 50 } }]).percent).toEqual([{ name: 'accuracy', rescaleStored: true }]);
    });
  });
});
