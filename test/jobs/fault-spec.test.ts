import { describe, it, expect } from 'vitest';
import { parseFaultSpecs, FAULT_SPECS } from '../../src/jobs/fault-spec.ts';
import { epochProgressLine, progressLine, progressFraction, formatDuration } from '../../src/jobs/progress-line.ts';

describe('parseFaultSpecs', () => {
  it('reads kebab-case faults with and without values, comma-separated or repeated', () => {
    expect(parseFaultSpecs(['label-noise=0.4', 'sorted-labels,no-validation'])).toEqual({ labelNoise: 0.4, sortedLabels: true, noValidation: true });
    expect(parseFaultSpecs([])).toEqual({});
  });
  it('every listed example parses', () => {
    expect(Object.keys(parseFaultSpecs(FAULT_SPECS))).toHaveLength(FAULT_SPECS.length);
  });
  it('names the problem', () => {
    expect(() => parseFaultSpecs(['label-nose=0.4'])).toThrow(/unknown fault "label-nose"/);
    expect(() => parseFaultSpecs(['label-noise'])).toThrow(/label-noise needs a number/);
    expect(() => parseFaultSpecs(['sorted-labels=1'])).toThrow(/takes no value/);
    expect(() => parseFaultSpecs(['label-noise=1.5'])).toThrow(/label-noise/);
  });
});

describe('progressLine', () => {
  it('shows the bar, epoch, losses, elapsed time, ETA and backend', () => {
    const line = progressLine({ epochs: 4, epoch: 2, batch: 50, batches: 100, loss: 0.31234, accuracy: 0.9, valLoss: 0.25, valAccuracy: 0.93, elapsedMs: 30_000, backend: 'wasm' });
    expect(progressFraction({ epochs: 4, epoch: 2, batch: 50, batches: 100 })).toBeCloseTo(0.375);
    expect(line).toContain('38%');
    expect(line).toContain('epoch 2/4');
    expect(line).toContain('loss 0.3123');
    expect(line).toContain('val_acc 0.930');
    expect(line).toContain('0:30 ETA 0:50');
    expect(line.endsWith('wasm')).toBe(true);
  });
  it("an epoch's line is the whole epoch done: epoch 2 of 4 is at 50 %, with the epoch's validation figures", () => {
    const line = epochProgressLine({ epochs: 4, epoch: 2, loss: 0.31234, accuracy: 0.9, valLoss: 0.25, valAccuracy: 0.93 }, 30_000, 'tensorflow');
    expect(line).toContain('50%');
    expect(line).toContain('epoch 2/4');
    expect(line).toContain('val_acc 0.930');
    expect(line).toContain('0:30 ETA 0:30');
    expect(line.endsWith('tensorflow')).toBe(true);
  });
  it('formats durations with hours when needed', () => {
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(formatDuration(59_400)).toBe('0:59');
  });
});
