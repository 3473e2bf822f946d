import { describe, expect, it } from 'vitest';
import { makeRun, decay, makeSeries } from '../../support/synthetic-runs.ts';
import { itemFor } from '../../support/verdict-item.ts';

describe('bad_initial_loss', () => {
  it('fails when the first loss is 9× ln 10', () => {
    const item = itemFor(makeRun({ epochs: 10, stepsPerEpoch: 20, train: decay(20, 0.5, 1), trainNoise: 0.01 }), 'bad_initial_loss', { classes: 10 });
    expect(item.status).toBe('fail');
    expect(Number(item.evidence.ratio)).toBeGreaterThan(8);
  });
  it('passes a first loss at ln K, and, without K, a gradual start', () => {
    const run = makeRun({ epochs: 10, stepsPerEpoch: 20, train: decay(Math.log(10), 0.5, 1), trainNoise: 0.01 });
    expect(itemFor(run, 'bad_initial_loss', { classes: 10 }).status).toBe('pass');
    expect(itemFor(run, 'bad_initial_loss').status).toBe('pass');
  });
  it('without K, warns on a start many times the next steps that collapses at once (a last layer ×50)', () => {
    const values = Array.from({ length: 300 }, (_, i) => (i === 0 ? 60 : i < 4 ? 60 / (4 * i) : 2.3 * Math.exp(-i / 80) + 0.1));
    const run = makeRun({ epochs: 10, train: decay(1, 0.1, 3) });
    run.series = [makeSeries('loss', 'loss', 'train', 'step', values.map((_, i) => i + 1), values.map((_, i) => (i + 1) / 30), values)];
    const item = itemFor(run, 'bad_initial_loss');
    expect(item.status).toBe('warn');
    expect(Number(item.evidence.ratio)).toBeGreaterThan(10);
  });
});
