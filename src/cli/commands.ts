import type { CliCommand } from './command.ts';
import { chartCommand } from './chart.ts';
import { demoCommand } from './demo.ts';
import { diagnoseCommand } from './diagnose.ts';
import { ingestCommand } from './ingest.ts';
import { runsCommand } from './runs.ts';
import { showCommand } from './show.ts';
import { trainCommand } from './train.ts';
import { tokenCommand } from './token.ts';
import { serveCommand } from './serve.ts';

/** Every subcommand, in the order --help lists them. To add one: write src/cli/<name>.ts and append it here. */
export const COMMANDS: CliCommand[] = [ingestCommand, runsCommand, showCommand, diagnoseCommand, chartCommand, demoCommand, trainCommand, tokenCommand, serveCommand];
