/**
 * The data-check use case every face calls: bytes of an uploaded or local data file → the checklist report and,
 * for images with suspected label errors, the contact sheet as a PNG. `checkDataFile` runs here (the CLI, tests);
 * the bot runs it in a child process (data-check-process.ts), since training the cross-validation models takes
 * seconds of CPU that must not stall Discord, the API and the scheduler.
 */
import { readDataFile, type DataReadOptions } from '../datacheck/read/index.ts';
import { runDataCheck, type DataCheckReport } from '../datacheck/index.ts';
import { contactSheetSvg } from '../datacheck/contact-sheet.ts';
import { DEFAULT_READ_LIMITS } from '../datacheck/table.ts';
import { chartProblemSentence } from '../charts/chart-error.ts';
import { rasterise } from '../charts/rasterise.ts';

export interface DataCheckRequest {
  /** The file's name as the user gave it (errors and the report name it). */
  fileName: string;
  /** INGEST_MAX_BYTES: the file, and what an archive inflates to. */
  maxBytes: number;
  labelColumn?: string;
  skipLabelErrors?: boolean;
  seed?: number;
  /** Draw the contact sheet of suspected label errors (images only). */
  sheet?: boolean;
}

export interface DataCheckResult {
  report: DataCheckReport;
  /** The contact sheet PNG; null for rows, when nothing is suspected, or when it could not be drawn. */
  sheetPng: Uint8Array | null;
  /** Why there is no sheet when one was expected (it could not be drawn). */
  sheetProblem: string | null;
}

export function checkDataFile(bytes: Uint8Array, req: DataCheckRequest): DataCheckResult {
  const labelColumn: DataReadOptions['labelColumn'] = req.labelColumn;
  const table = readDataFile(bytes, req.fileName, { ...DEFAULT_READ_LIMITS, maxBytes: req.maxBytes }, { labelColumn });
  const report = runDataCheck(table, { skipLabelErrors: req.skipLabelErrors, labelErrors: { seed: req.seed } });
  if (req.sheet === false) return { report, sheetPng: null, sheetProblem: null };
  const svg = contactSheetSvg(table, report.suspects, sheetTitle(report));
  if (!svg) return { report, sheetPng: null, sheetProblem: null };
  try {
    return { report, sheetPng: rasterise(svg), sheetProblem: null };
  } catch (e) {
    return { report, sheetPng: null, sheetProblem: chartProblemSentence(e) };
  }
}

export function sheetTitle(r: DataCheckReport): string {
  const shown = r.suspects.length;
  return `${r.source}: ${r.flagged} likely label error${r.flagged === 1 ? '' : 's'}${shown < r.flagged ? `, the ${shown} most suspicious` : ''} (given → suggested)`;
}
