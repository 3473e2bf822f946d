/**
 * A training job's own data as a DataTable: a preset's examples after its slice, split and switched-on faults
 * (prepare-data.ts), so the data checklist judges exactly what the job trains on. Pure.
 */
import type { PreparedData } from '../../jobs/prepare-data.ts';
import { TRAIN, VALIDATION, type DataTable } from '../table.ts';

export function tableOfJobData(d: PreparedData, source: string): DataTable {
  const parts = [d.train, ...(d.val ? [d.val] : [])];
  const f = d.train.featureSize;
  const n = parts.reduce((s, p) => s + p.y.length, 0);
  const x = new Float32Array(n * f);
  const y = new Int32Array(n);
  const split = new Uint8Array(n);
  const names: string[] = [];
  let at = 0;
  parts.forEach((p, k) => {
    x.set(p.x, at * f);
    y.set(p.y, at);
    split.fill(k === 0 ? TRAIN : VALIDATION, at, at + p.y.length);
    for (let i = 0; i < p.y.length; i++) names.push(`${k === 0 ? 'train' : 'val'}[${i}]`);
    at += p.y.length;
  });
  const images = d.train.inputShape.length === 3;
  return {
    source,
    kind: images ? 'images' : 'rows',
    inputShape: d.train.inputShape,
    featureSize: f,
    x,
    y,
    classNames: d.train.classNames,
    split,
    hasValidation: d.val !== null,
    names,
    featureNames: images ? [] : Array.from({ length: f }, (_, j) => `x${j}`),
    notes: d.notes,
  };
}
