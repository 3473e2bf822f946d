import type { IngestedRun } from '../app/ingest-files.ts';
import type { CliCommand } from './command.ts';
import { formatTable, toJson } from './format.ts';
import { epochsCell } from '../domain/epochs.ts';

export const ingestCommand: CliCommand = {
  name: 'ingest',
  summary: 'read training logs (files, directories, zips) into the database and print the run ids',
  args: '<file|dir|zip>...',
  minArgs: 1,
  options: {
    name: { type: 'string', valueName: 'N', description: 'name the run (several runs become N-1, N-2 …)' },
    json: { type: 'boolean', description: 'print JSON instead of a table' },
  },
  async run(ctx, { positionals, values }) {
    // Loaded on use: the parsers are most of the program, and `--help` or `runs` should not wait for them.
    const { ingestPaths } = await import('../app/ingest-files.ts');
    const store = await ctx.openStore();
    const results = await ingestPaths(store, positionals, {
      name: values.name as string | undefined,
      maxBytes: ctx.config.ingestMaxBytes,
      maxRunsPerFile: ctx.config.ingestMaxRunsPerFile,
      log: ctx.log,
    });
    if (values.json) {
      ctx.out(toJson(results.map(ingestedJson)));
      return;
    }
    for (const line of ingestedTable(results)) ctx.out(line);
    for (const r of results) for (const note of r.notes) ctx.err(`note: ${r.run.id} ${note}`);
  },
};

export function ingestedJson(r: IngestedRun) {
  return {
    id: r.run.id,
    name: r.run.name,
    created: r.created,
    from: r.from,
    format: r.run.source.format,
    points: r.run.points,
    epochs: r.run.epochs,
    firstEpoch: r.run.firstEpoch ?? null,
    notes: r.notes,
  };
}

/** The run id comes first on every line, so `runmedic ingest x | cut -d' ' -f1` gives the ids. */
export function ingestedTable(results: IngestedRun[]): string[] {
  return formatTable(
    ['ID', 'NAME', 'FORMAT', 'POINTS', 'EPOCHS', 'STATE', 'FROM'],
    results.map((r) => [
      r.run.id,
      r.run.name,
      r.run.source.format,
      String(r.run.points),
      epochsCell(r.run) ?? '-',
      r.created ? 'new' : 'already stored',
      r.from,
    ]),
    new Set([3, 4]),
  ).slice(1);
}
