/** /jobs: queued, running and recent training jobs. */
import { SlashCommandBuilder } from 'discord.js';
import { UserFacingError, type BotCommand } from '../src/bot/command.ts';
import { jobRunName } from '../src/app/run-training-job.ts';
import { parseJobConfig } from '../src/jobs/job-config.ts';
import type { JobRecord, JobStatus } from '../src/store/job-store.ts';

const ICON: Record<JobStatus, string> = { queued: '⏳', running: '🏃', finished: '✅', failed: '❌', crashed: '💥', cancelled: '✖️', interrupted: '⚠️' };

function line(j: JobRecord): string {
  let name: string;
  try {
    name = jobRunName(parseJobConfig(j.config));
  } catch {
    name = '(unreadable config)';
  }
  const extra = [j.backend, j.runId ? `run \`${j.runId}\`` : null, j.parentJobId ? `rerun of \`${j.parentJobId}\`` : null, j.error].filter(Boolean).join(' · ');
  return `${ICON[j.status]} \`${j.id}\` **${j.status}** ${name}${extra ? ` · ${extra}` : ''}`.slice(0, 300);
}

const command: BotCommand = {
  data: new SlashCommandBuilder().setName('jobs').setDescription('Queued, running and recent training jobs'),
  async execute(i, ctx) {
    if (!ctx.jobs) throw new UserFacingError('Training jobs are not enabled on this bot.');
    const jobs = await ctx.jobs.list(15);
    const active = jobs.filter((j) => j.status === 'queued' || j.status === 'running').reverse();
    const recent = jobs.filter((j) => j.status !== 'queued' && j.status !== 'running');
    const parts: string[] = [];
    parts.push(active.length ? `**Queue** (oldest first)\n${active.map(line).join('\n')}` : '**Queue**: empty');
    if (recent.length) parts.push(`**Recent**\n${recent.map(line).join('\n')}`);
    await i.reply({ content: parts.join('\n\n').slice(0, 2000) });
  },
};

export default command;
