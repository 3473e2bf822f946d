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
});
