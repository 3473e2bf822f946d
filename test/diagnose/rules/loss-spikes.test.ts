import { describe, expect, it } from 'vitest';
import { makeRun, decay, SCALES } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('loss_spikes', () => {
  it.each(SCALES)('warns on three isolated ×6 spikes in a step-level loss (scale %s)', (scale) => {
    const d = decay(1, 0.2, 3);
    const spikes = [400, 700, 1000];
    const run = makeRun({ scale, stepsPerEpoch: 60, epochs: 20, train: d });
    const loss = run.series[0];
    for (const i of spikes) loss.values[i] *= 6;
    const item = itemFor(run, 'loss_spikes');
    expect(item.status).toBe('warn');
    expect(item.evidence.spikes).toBe(3);
    expect(item.marks.map((m) => m.step)).toEqual(spikes.map((i) => i + 1));
  });

  it('passes a loss that collapses to exactly 0 with tiny blips (linear scale: a spike must be visible)', () => {
    const run = makeRun({ stepsPerEpoch: 50, epochs: 4, train: (e) => (e < 0.1 ? 0.85 : 0), trainNoise: 0 });
    const loss = run.series[0];
    loss.values[120] = 1e-4;
    loss.values[160] = 2e-4;
    expect(itemFor(run, 'loss_spikes').status).toBe('pass');
  });

  it.each(SCALES)('passes heavy but ordinary batch noise (σ 0.35) (scale %s)', (scale) => {
    const item = itemFor(makeRun({ scale, stepsPerEpoch: 60, epochs: 20, train: decay(1, 0.2, 3), trainNoise: 0.35 }), 'loss_spikes');
    expect(item.status).toBe('pass');
  });
});
