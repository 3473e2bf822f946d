import { readFile, stat, writeFile } from 'node:fs/promises';
import type { CliArgs, CliCommand, CliContext } from './command.ts';
import type { DataCheckReport } from '../datacheck/index.ts';
import { UsageError } from './usage-error.ts';
import { IngestError } from '../ingest/ingest-error.ts';

/** Exit code when an item of the data checklist fails (as diagnose's). */
export const EXIT_DATA_FAILS = 1;

export const datacheckCommand: CliCommand = {
  name: 'datacheck',
  summary: 'check a data file before training: class balance, duplicates, leakage, conflicting labels, scale, and likely label errors (confident learning)',
  args: '<file> | --preset NAME',
  minArgs: 0,
  maxArgs: 1,
  exitCodes: '0 nothing fails, 1 an item fails, 2 bad input (the file, the entry and what was expected)',
  options: {
    preset: { type: 'string', valueName: 'NAME', description: "check a training preset's data instead of a file, as its job would train on it (with --fault, --limit, --seed)" },
    fault: { type: 'string', valueName: 'F[=V]', multiple: true, description: 'with --preset: a data fault switched on, as for train (label-noise=0.1, class-imbalance=10 …)' },
    limit: { type: 'string', valueName: 'N', description: 'with --preset: use only N examples' },
    label: { type: 'string', valueName: 'COLUMN', description: 'the CSV column holding the label (default: label/class/target/y/…, else the last column)' },
    sheet: { type: 'string', valueName: 'FILE', description: 'write the contact sheet of suspected label errors (images) as a PNG' },
    suspects: { type: 'string', valueName: 'N', description: 'how many suspected label errors to list (default 10)' },
    'no-label-errors': { type: 'boolean', description: 'skip the label-error check (the slow part: it cross-validates a small model)' },
    seed: { type: 'string', valueName: 'N', description: 'random seed of the cross-validation (default 1)' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    all: { type: 'boolean', description: 'show every item with its figures, passes included' },
  },
  async run(ctx, { positionals, values }) {
    const suspects = values.suspects === undefined ? 10 : Number(values.suspects);
    if (!Number.isInteger(suspects) || suspects < 0 || suspects > 24) throw new UsageError(`--suspects: expected a whole number 0–24, got "${String(values.suspects)}"`, 'datacheck');
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed: expected a whole number, got "${String(values.seed)}"`, 'datacheck');
    if (values.sheet !== undefined && (typeof values.sheet !== 'string' || values.sheet.trim() === '')) throw new UsageError('--sheet: expected the PNG file to write', 'datacheck');
    if (typeof values.preset === 'string') {
      if (positionals.length) throw new UsageError('give a file or --preset, not both', 'datacheck');
      const r = await checkPreset(values, seed);
      return present(ctx, r.report, r.sheetPng, null, values, suspects);
    }
    if (values.fault !== undefined || values.limit !== undefined) throw new UsageError('--fault and --limit apply to --preset', 'datacheck');
    const file = positionals[0];
    if (file === undefined) throw new UsageError('missing <file> (or --preset NAME)', 'datacheck');
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
    const { checkDataFile } = await import('../app/data-check.ts');
    const name = file.split(/[\\/]/).pop() ?? file;
    const r = checkDataFile(bytes, {
      fileName: name,
      maxBytes: ctx.config.ingestMaxBytes,
      labelColumn: typeof values.label === 'string' ? values.label : undefined,
      skipLabelErrors: values['no-label-errors'] === true,
      seed,
      sheet: typeof values.sheet === 'string',
    });
    return present(ctx, r.report, r.sheetPng, r.sheetProblem, values, suspects);
  },
};

async function present(ctx: CliContext, report: DataCheckReport, sheetPng: Uint8Array | null, sheetProblem: string | null, values: CliArgs['values'], suspects: number): Promise<number> {
  const [{ dataCheckText }, { toJson }] = await Promise.all([import('../datacheck/index.ts'), import('./format.ts')]);
  if (values.json) ctx.out(toJson(report));
  else for (const line of dataCheckText(report, { all: values.all === true, suspects })) ctx.out(line);
  if (typeof values.sheet === 'string') {
    if (sheetPng) {
      await writeFile(values.sheet, sheetPng);
      ctx.err(`contact sheet: ${values.sheet}`);
    } else {
      ctx.err(`contact sheet: not written (${sheetProblem ?? (report.kind !== 'images' ? 'the examples are not images' : 'no suspected label errors')})`);
    }
  }
  return report.status === 'fail' ? EXIT_DATA_FAILS : 0;
}

/** A preset's data as its job would train on it: slice, split and data faults applied (prepare-data.ts). */
async function checkPreset(values: CliArgs['values'], seed: number | undefined): Promise<{ report: DataCheckReport; sheetPng: Uint8Array | null }> {
  const [{ PRESET_NAMES }, { resolveJobConfig }, { parseFaultSpecs, FaultSpecError }, { prepareData }, { tableOfJobData }, { runDataCheck }, { contactSheetSvg }, { rasterise }, { sheetTitle }] = await Promise.all([
    import('../jobs/job-config.ts'),
    import('../jobs/presets.ts'),
    import('../jobs/fault-spec.ts'),
    import('../jobs/prepare-data.ts'),
    import('../datacheck/read/job-data.ts'),
    import('../datacheck/index.ts'),
    import('../datacheck/contact-sheet.ts'),
    import('../charts/rasterise.ts'),
    import('../app/data-check.ts'),
  ]);
  const preset = values.preset as (typeof PRESET_NAMES)[number];
  if (!PRESET_NAMES.includes(preset)) throw new UsageError(`--preset: expected one of ${PRESET_NAMES.join(', ')}, got "${String(values.preset)}"`, 'datacheck');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 2)) throw new UsageError(`--limit: expected a whole number ≥ 2, got "${String(values.limit)}"`, 'datacheck');
  let faults;
  try {
    faults = parseFaultSpecs((values.fault as string[] | undefined) ?? []);
  } catch (e) {
    if (e instanceof FaultSpecError) throw new UsageError(`--fault: ${e.message}`, 'datacheck');
    throw e;
  }
  const config = resolveJobConfig(preset, { limit, seed }, faults);
  const table = tableOfJobData(prepareData(config), `${preset}${(values.fault as string[] | undefined)?.length ? ` (${(values.fault as string[]).join(', ')})` : ''}`);
  const report = runDataCheck(table, { skipLabelErrors: values['no-label-errors'] === true, labelErrors: { seed } });
  let sheetPng: Uint8Array | null = null;
  if (typeof values.sheet === 'string') {
    const svg = contactSheetSvg(table, report.suspects, sheetTitle(report));
    if (svg) sheetPng = rasterise(svg);
  }
  return { report, sheetPng };
}
