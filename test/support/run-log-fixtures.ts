import type { RunLog, RunSource, Series } from '../../src/domain/run.ts';

/** A series from plain arrays; `epochs`/`wallTimes` omitted → null. */
export function series(
  name: string,
  values: number[],
  opts: { key?: string; split?: Series['split']; steps?: number[]; epochs?: number[]; wallTimes?: number[]; cadence?: Series['cadence'] } = {},
): Series {
  return {
    key: opts.key ?? name.replace(/^val_/, ''),
    split: opts.split ?? (name.startsWith('val_') ? 'val' : 'train'),
    name,
    direction: /loss/.test(name) ? 'lower' : 'higher',
    cadence: opts.cadence ?? 'epoch',
    steps: Float64Array.from(opts.steps ?? values.map((_, i) => i)),
    epochs: opts.epochs ? Float64Array.from(opts.epochs) : null,
    wallTimes: opts.wallTimes ? Float64Array.from(opts.wallTimes) : null,
    values: Float64Array.from(values),
  };
}

export function runLog(name: string, s: Series[], extra: Partial<RunLog> = {}): RunLog {
  return { name, format: 'keras_csv', series: s, notes: [], ...extra };
}

export function source(hash: string, fileName = 'log.csv'): RunSource {
  return { format: 'keras_csv', fileName, contentHash: hash };
}

/** Plain arrays of a series' columns, with NaN/±Inf/-0 preserved by Object.is in toEqual. */
export function columns(s: Series) {
  return {
    steps: Array.from(s.steps),
    epochs: s.epochs ? Array.from(s.epochs) : null,
    wallTimes: s.wallTimes ? Array.from(s.wallTimes) : null,
    values: Array.from(s.values),
  };
}
