import { listRuns } from '../app/list-runs.ts';
import type { RunStatus, RunSummary } from '../domain/run.ts';
import type { CliCommand } from './command.ts';
import { formatTable, formatTime, toJson } from './format.ts';
import { UsageError } from './usage-error.ts';
import { epochsCell } from '../domain/epochs.ts';

const STATUSES: readonly RunStatus[] = ['finished', 'running', 'crashed', 'killed', 'stalled'];

export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'list the stored runs, newest first',
  args: '',
  maxArgs: 0,
  options: {
    json: { type: 'boolean', description: 'print JSON instead of a table' },
    limit: { type: 'string', valueName: 'N', description: 'show at most N runs (default 50)' },
    status: { type: 'string', valueName: 'S', description: `only runs with this status (${STATUSES.join(', ')})` },
  },
  async run(ctx, { values }) {
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a positive whole number, got "${values.limit}"`, 'runs');
    const status = values.status as RunStatus | undefined;
    if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status: expected one of ${STATUSES.join(', ')}`, 'runs');
    const runs = await listRuns(await ctx.openStore(), { limit, status });
    if (values.json) {
      ctx.out(toJson(runs.map(runSummaryJson)));
      return;
    }
    if (runs.length === 0) {
      ctx.err(`no runs in ${ctx.dbPath}: try \`runmedic ingest <file>\` or \`runmedic demo\``);
      return;
    }
    for (const line of runsTable(runs)) ctx.out(line);
  },
};

export function runSummaryJson(r: RunSummary) {
  return {
    id: r.id,
    name: r.name,
    format: r.source.format,
    fileName: r.source.fileName,
    status: r.status,
    points: r.points,
    epochs: r.epochs,
    firstEpoch: r.firstEpoch ?? null,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

export function runsTable(runs: RunSummary[]): string[] {
  return formatTable(
    ['ID', 'NAME', 'FORMAT', 'POINTS', 'EPOCHS', 'STATUS', 'CREATED (UTC)'],
    runs.map((r) => [r.id, r.name, r.source.format, String(r.points), epochsCell(r) ?? '-', r.status, formatTime(r.createdAt)]),
    new Set([3, 4]),
  );
}
