import type { RunLog, Series } from '../../src/domain/run.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';

/** The series with this source name; fails listing the names there are. */
export function seriesNamed(run: Pick<RunLog, 'series'>, name: string): Series {
  const s = run.series.find((x) => x.name === name);
  if (!s) throw new Error(`no series ${name} in ${run.series.map((x) => x.name).join(', ')}`);
  return s;
}

/** Runs `fn` and returns the IngestError it throws; any other error is rethrown, no error fails. */
export function ingestErrorOf(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IngestError) return e;
    throw e;
  }
  throw new Error('expected an IngestError');
}
