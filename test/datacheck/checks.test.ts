/**
 * The data checklist on tables with planted problems: each item fails (or warns) on its own problem with the numbers
 * in its sentence and passes on clean data; label errors are found by confident learning on real digits.
 */
import { describe, expect, it } from 'vitest';
import { runDataCheck, dataCheckText, type DataCheckReport } from '../../src/datacheck/index.ts';
import { findLabelIssues, lowestGivenProbability } from '../../src/datacheck/confident-learning.ts';
import { TRAIN, VALIDATION, type DataTable } from '../../src/datacheck/table.ts';
import { loadIris, loadMnist, makeBlobs, takeBalanced, type Dataset } from '../../src/jobs/dataset.ts';
import { createRng } from '../../src/jobs/rng.ts';
import { contactSheetSvg } from '../../src/datacheck/contact-sheet.ts';
import { rasterise } from '../../src/charts/rasterise.ts';

function table(ds: Dataset, o: Partial<DataTable> = {}): DataTable {
  const n = ds.y.length;
  const images = ds.inputShape.length === 3;
  return {
    source: `${ds.name}.test`,
    kind: images ? 'images' : 'rows',
    inputShape: ds.inputShape,
    featureSize: ds.featureSize,
    x: ds.x,
    y: ds.y,
    classNames: ds.classNames,
    split: new Uint8Array(n),
    hasValidation: false,
    names: Array.from({ length: n }, (_, i) => `#${i}`),
    featureNames: images ? [] : Array.from({ length: ds.featureSize }, (_, j) => `f${j}`),
    notes: [],
    ...o,
  };
}

const item = (r: DataCheckReport, id: string) => r.items.find((i) => i.id === id)!;
const quick = { skipLabelErrors: true };

describe('data checklist items', () => {
  it('clean, balanced, scaled blobs pass every item', () => {
    const r = runDataCheck(table(makeBlobs(600, 3)));
    for (const i of r.items) if (i.id !== 'leakage') expect([i.id, i.status]).toEqual([i.id, 'pass']);
    expect(item(r, 'leakage').status).toBe('unknown');
    expect(r.status).toBe('pass');
  });

  it('class imbalance: the ratio and the majority baseline in the sentence', () => {
    const ds = makeBlobs(600, 3);
    // Keep every class-0 example, one in 15 of the others.
    const keep = Array.from({ length: 600 }, (_, i) => i).filter((i) => ds.y[i] === 0 || Math.floor(i / 3) % 13 === 0);
    const t = table(subset(ds, keep));
    const r = runDataCheck(t, quick);
    const ci = item(r, 'class_imbalance');
    expect(ci.status).toBe('fail');
    expect(ci.summary).toMatch(/the largest \(0, 200\) is 1[0-9]\.\d× the smallest/);
    expect(ci.summary).toMatch(/always answering 0 scores 8\d %/);
    expect(item(r, 'too_little_data').status).toBe('warn');
    expect(item(r, 'too_little_data').summary).toMatch(/under 50 training examples: [12] \(1\d\)/);
  });

  it('exact duplicates, conflicting labels and leakage are counted separately', () => {
    const ds = makeBlobs(300, 5);
    const x = new Float32Array(ds.x);
    const y = Int32Array.from(ds.y);
    const split = new Uint8Array(300);
    // Rows 0..9 copied onto 10..19 (same labels): duplicates.
    for (let i = 0; i < 10; i++) x.set(x.subarray(i * 2, i * 2 + 2), (10 + i) * 2);
    for (let i = 0; i < 10; i++) y[10 + i] = y[i]!;
    // Rows 20..24 copied onto 25..29 with another label: conflicts.
    for (let i = 0; i < 5; i++) {
      x.set(x.subarray((20 + i) * 2, (20 + i) * 2 + 2), (25 + i) * 2);
      y[25 + i] = (y[20 + i]! + 1) % 3;
    }
    // Validation: the last 60; 6 of them copies of training rows 100..105.
    split.fill(VALIDATION, 240);
    for (let i = 0; i < 6; i++) {
      x.set(x.subarray((100 + i) * 2, (100 + i) * 2 + 2), (240 + i) * 2);
      y[240 + i] = y[100 + i]!;
    }
    const r = runDataCheck(table({ ...ds, x, y }, { split, hasValidation: true }), quick);
    const dup = item(r, 'duplicates');
    expect(dup.summary).toMatch(/^15 extra copies \(6\.3 % of training\) in 15 groups of identical inputs/);
    expect(dup.status).toBe('warn');
    expect(dup.examples![0]).toBe('#0 = #10');
    const conf = item(r, 'label_conflicts');
    expect(conf.status).toBe('fail');
    expect(conf.summary).toMatch(/^5 groups of identical inputs carry different labels \(10 examples/);
    const leak = item(r, 'leakage');
    expect(leak.status).toBe('fail');
    expect(leak.summary).toMatch(/^6 validation examples of 60 \(10 %\) also sit in training: 6 identical, 0 near-identical/);
    expect(leak.examples![0]).toBe('#240 ≈ #100');
  });

  it('near-duplicate images: a noisy, brighter copy is found, different handwritten digits are not', () => {
    const base = takeBalanced(loadMnist(), 300);
    const x = new Float32Array(base.x);
    const rng = createRng(9);
    // 12 copies of digits 0..11 with noise and a brightness shift, in the validation part.
    const split = new Uint8Array(300);
    split.fill(VALIDATION, 250);
    for (let k = 0; k < 12; k++) {
      for (let p = 0; p < 784; p++) x[(250 + k) * 784 + p] = Math.min(1, Math.max(0, base.x[k * 784 + p]! * 0.9 + 0.05 + (rng.next() - 0.5) * 0.1));
    }
    const y = Int32Array.from(base.y);
    for (let k = 0; k < 12; k++) y[250 + k] = base.y[k]!;
    const r = runDataCheck(table({ ...base, x, y }, { split, hasValidation: true }), quick);
    const leak = item(r, 'leakage');
    expect(leak.summary).toMatch(/^12 validation examples of 50 \(24 %\) also sit in training: 0 identical, 12 near-identical/);
    expect(item(r, 'near_duplicates').status).toBe('pass');
    expect(item(r, 'unnormalized_inputs').status).toBe('pass');
  });

  it('inputs not normalised: raw pixel bytes fail, columns on different scales warn', () => {
    const digits = takeBalanced(loadMnist(), 100);
    const r = runDataCheck(table({ ...digits, x: digits.x.map((v) => Math.round(v * 255)) }), quick);
    expect(item(r, 'unnormalized_inputs').summary).toBe('pixel values range 0 to 255: raw bytes, not scaled');
    expect(item(r, 'unnormalized_inputs').status).toBe('fail');
    const iris = loadIris();
    const x = new Float32Array(iris.x);
    for (let i = 0; i < 150; i++) x[i * 4] = x[i * 4]! * 1000 + 50_000;
    const rows = runDataCheck(table({ ...iris, x }), quick);
    expect(item(rows, 'unnormalized_inputs').status).toBe('warn');
    expect(item(rows, 'unnormalized_inputs').summary).toMatch(/column scales differ \d+× \(std of f0 8\d\d vs f\d 0\.\d+\); f0 sits at 55800 ± 8\d\d/);
  });

  it('one class only fails class balance and leaves label errors not checkable', () => {
    const ds = makeBlobs(60, 1, 1);
    const r = runDataCheck(table(ds));
    expect(item(r, 'class_imbalance').status).toBe('fail');
    expect(item(r, 'label_noise').status).toBe('unknown');
  });
});

describe('label errors by confident learning', () => {
  it('finds flipped digit labels among 400 MNIST digits, names given and suggested labels, and beats chance by far', () => {
    const ds = takeBalanced(loadMnist(), 400);
    const rng = createRng(11);
    const y = Int32Array.from(ds.y);
    const flipped = new Set<number>();
    for (let i = 0; i < y.length; i++) {
      if (rng.next() < 0.1) {
        y[i] = (y[i]! + 1 + rng.int(9)) % 10;
        flipped.add(i);
      }
    }
    const r = runDataCheck(table({ ...ds, y }));
    const le = item(r, 'label_noise');
    expect(le.status).toBe('fail');
    const top = r.suspects.slice(0, 10);
    expect(top.length).toBe(10);
    // The most suspicious are nearly all real flips, and the suggested label is the true digit.
    expect(top.filter((s) => flipped.has(s.index)).length).toBeGreaterThanOrEqual(8);
    expect(top.filter((s) => s.suggested === String(ds.y[s.index])).length).toBeGreaterThanOrEqual(7);
    expect(top[0]!.given).toBe(String(y[top[0]!.index]));
    expect(le.summary).toMatch(/^\d+ examples \(\d+(\.\d)? %\) look mislabelled; estimated noise \d+(\.\d)? %; most suspicious: #\d+ \d→\d/);
    const text = dataCheckText(r).join('\n');
    expect(text).toContain('Most suspicious labels (10 of');
    expect(text).toMatch(/#\d+ +\d → \d   p 0\.\d\d → 0\.\d\d/);
    // The contact sheet: one tile per suspect (up to 24), six a row, drawn to PNG with the shipped fonts.
    const t = table({ ...ds, y });
    const svg = contactSheetSvg(t, r.suspects, 'digits')!;
    expect(svg.match(/<image /g)!.length).toBe(Math.min(24, r.flagged));
    expect(svg).toContain(`>${top[0]!.given}</tspan>`);
    const png = rasterise(svg);
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const dv = new DataView(png.buffer, png.byteOffset);
    expect(dv.getUint32(16)).toBe(816);
    expect(contactSheetSvg(table(makeBlobs(60, 1)), r.suspects, 'rows')).toBeNull();
  }, 20_000);

  it('the algorithm: thresholds are per-class mean self-confidence, off-diagonal examples flagged, ranked by margin', () => {
    // 3 classes, 6 examples; example 5 is labelled 0 but confidently 2.
    const p = Float32Array.from([0.9, 0.05, 0.05, 0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.05, 0.9, 0.05, 0.1, 0.1, 0.8, 0.1, 0.1, 0.8]);
    const y = Int32Array.from([0, 0, 1, 1, 2, 0]);
    const r = findLabelIssues(p, y, 3);
    expect(r.thresholds.map((t) => +t.toFixed(4))).toEqual([0.6, 0.85, 0.8]);
    expect(r.issues.map((i) => [i.index, i.given, i.suggested])).toEqual([[5, 0, 2]]);
    expect(r.issues[0]!.margin).toBeCloseTo(-0.7, 5);
    expect(lowestGivenProbability(p, y, 3, 1)).toEqual([5]);
  });
});

function subset(ds: Dataset, idx: number[]): Dataset {
  const f = ds.featureSize;
  const x = new Float32Array(idx.length * f);
  idx.forEach((i, k) => x.set(ds.x.subarray(i * f, (i + 1) * f), k * f));
  return { ...ds, x, y: Int32Array.from(idx, (i) => ds.y[i]!) };
}
void TRAIN;
