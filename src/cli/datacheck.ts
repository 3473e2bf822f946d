import { readFile, stat, writeFile } from 'node:fs/promises';
import type { CliCommand } from './command.ts';
import { UsageError } from './usage-error.ts';
import { IngestError } from '../ingest/ingest-error.ts';

/** Exit code when an item of the data checklist fails (as diagnose's). */
export const EXIT_DATA_FAILS = 1;

export const datacheckCommand: CliCommand = {
  name: 'datacheck',
  summary: 'check a data file before training: class balance, duplicates, leakage, conflicting labels, scale, and likely label errors (confident learning)',
  args: '<file>',
  minArgs: 1,
  maxArgs: 1,
  exitCodes: '0 nothing fails, 1 an item fails, 2 bad input (the file, the entry and what was expected)',
  options: {
    label: { type: 'string', valueName: 'COLUMN', description: 'the CSV column holding the label (default: label/class/target/y/…, else the last column)' },
    sheet: { type: 'string', valueName: 'FILE', description: 'write the contact sheet of suspected label errors (images) as a PNG' },
    suspects: { type: 'string', valueName: 'N', description: 'how many suspected label errors to list (default 10)' },
    'no-label-errors': { type: 'boolean', description: 'skip the label-error check (the slow part: it cross-validates a small model)' },
    seed: { type: 'string', valueName: 'N', description: 'random seed of the cross-validation (default 1)' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    all: { type: 'boolean', description: 'show every item with its figures, passes included' },
  },
  async run(ctx, { positionals, values }) {
    const file = positionals[0]!;
    const suspects = values.suspects === undefined ? 10 : Number(values.suspects);
    if (!Number.isInteger(suspects) || suspects < 0 || suspects > 24) throw new UsageError(`--suspects: expected a whole number 0–24, got "${String(values.suspects)}"`, 'datacheck');
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed: expected a whole number, got "${String(values.seed)}"`, 'datacheck');
    if (values.sheet !== undefined && (typeof values.sheet !== 'string' || values.sheet.trim() === '')) throw new UsageError('--sheet: expected the PNG file to write', 'datacheck');
    let size: number;
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new IngestError({ file, reason: 'not a file: expected a CSV, an .npy/.npz or a zip of image folders' });
      size = s.size;
    } catch (e) {
      if (e instanceof IngestError) throw e;
      throw new IngestError({ file, reason: `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
    }
    // Checked before the file is read.
    if (size > ctx.config.ingestMaxBytes) throw new IngestError({ file, reason: `${size} bytes, over the limit of ${ctx.config.ingestMaxBytes} (INGEST_MAX_BYTES)` });
    const bytes = new Uint8Array(await readFile(file));
    const [{ checkDataFile }, { dataCheckText }, { toJson }] = await Promise.all([import('../app/data-check.ts'), import('../datacheck/index.ts'), import('./format.ts')]);
    const name = file.split(/[\\/]/).pop() ?? file;
    const r = checkDataFile(bytes, {
      fileName: name,
      maxBytes: ctx.config.ingestMaxBytes,
      labelColumn: typeof values.label === 'string' ? values.label : undefined,
      skipLabelErrors: values['no-label-errors'] === true,
      seed,
      sheet: typeof values.sheet === 'string',
    });
    if (values.json) ctx.out(toJson(r.report));
    else for (const line of dataCheckText(r.report, { all: values.all === true, suspects })) ctx.out(line);
    if (typeof values.sheet === 'string') {
      if (r.sheetPng) {
        await writeFile(values.sheet, r.sheetPng);
        ctx.err(`contact sheet: ${values.sheet}`);
      } else {
        ctx.err(`contact sheet: not written (${r.sheetProblem ?? (r.report.kind !== 'images' ? 'the examples are not images' : 'no suspected label errors')})`);
      }
    }
    return r.report.status === 'fail' ? EXIT_DATA_FAILS : 0;
  },
};
