/**
 * Histories printed whole inside console output (`print(history.history)`), merged with the runs read from the lines:
 * with no other records they are the runs; beside records, each adds to the run printed before it the series (name,
 * split, cadence) that run lacks.
 */
import type { RunLog } from '../../domain/run.ts';
import { IngestError } from '../ingest-error.ts';
import { readFromNote, runsFromLiteral } from '../literal-history.ts';
import type { LiteralBlock } from './literal-blocks.ts';

/**
 * The runs read from the lines (`runs`, each starting at physical line `firstLine(run)`) with the literals' runs merged
 * in. A literal that holds no history is passed over.
 */
export function withLiterals(runs: RunLog[], blocks: readonly LiteralBlock[], fileName: string, firstLine: (run: RunLog) => number): RunLog[] {
  if (blocks.length === 0) return runs;
  const out = [...runs];
  const firstLines = runs.map(firstLine);
  for (const b of blocks) {
    const how = `the literal printed at line${b.lastLine > b.firstLine ? `s ${b.firstLine}–${b.lastLine}` : ` ${b.firstLine}`}`;
    let read: RunLog[];
    try {
      read = runsFromLiteral(b.value, fileName, how);
    } catch (err) {
      if (err instanceof IngestError) continue;
      throw err;
    }
    // What the merge notes say the series were read from: the description given, not a note of the literal's runs.
    const from = readFromNote(how);
    for (const r of read) {
      if (runs.length === 0) {
        r.name = out.length === 0 ? r.name : `${r.name} (run ${out.length + 1})`;
        out.push(r);
        continue;
      }
      let k = 0;
      for (let j = 0; j < runs.length; j++) if (firstLines[j]! <= b.firstLine) k = j;
      const target = out[k]!;
      const added = r.series.filter((x) => !target.series.some((s) => s.key === x.key && s.split === x.split && s.cadence === x.cadence));
      target.series.push(...added);
      target.notes.push(
        added.length
          ? `${from}: ${added.map((x) => x.name).join(', ')} added (the lines printed none of these)`
          : `${from}: the same series as the lines, not read again`,
      );
    }
  }
  return out;
}
