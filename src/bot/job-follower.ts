/**
 * A training job as people see it in Discord: a progress line edited as it runs, and at its end the checklist and
 * chart (for a rerun, also the before/after comparison) as ordinary messages where it was asked for. Used by /train
 * and "Rerun with fix" while the job is asked for, and by a restarted bot for the jobs it finds: queued ones are
 * followed again, ended ones nobody reported (interrupted by the stop) are reported once.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type Channel, type Client, type Message } from 'discord.js';
import type { BotContext } from './command.ts';
import { buttonId } from './command.ts';
import { diagnosisReply } from './presenters/diagnosis-reply.ts';
import { compareReply } from './presenters/compare-reply.ts';
import { renderRunChartSvg } from '../charts/run-chart.ts';
import { drawChart } from '../app/chart-images.ts';
import { compareRuns, overlayChartWith } from '../app/compare-runs.ts';
import { jobRunName, type TrainingJobResult } from '../app/run-training-job.ts';
import type { JobWatchEvent, TrainingJobs } from '../app/training-jobs.ts';
import { applyFix, describeRateChange, type FixChange } from '../jobs/apply-fix.ts';
import { parseJobConfig, type JobConfig } from '../jobs/job-config.ts';
import { epochProgressLine, progressLine } from '../jobs/progress-line.ts';
import { jobReportTarget, type JobRecord } from '../store/job-store.ts';
import type { Verdict } from '../domain/verdict.ts';
import { ownsChannel } from './shard-ownership.ts';

/** Discord allows 5 edits per 5 s per message; one per epoch is far below, but batch-level updates are throttled. */
const MIN_EDIT_INTERVAL_MS = 2000;

/** Where a job's progress line lives: the reply to /train, or a message in the channel or the run's thread. */
export type ProgressSink = (content: string, components: ActionRowBuilder<ButtonBuilder>[]) => Promise<unknown>;

export interface FollowOptions {
  /** Bold first line of every message about the job. */
  title: string;
  progress: ProgressSink;
  /** Where the checklist and chart go at the end (an ordinary message: the interaction token dies after 15 minutes). */
  channelId: string;
  /** Who asked, mentioned in the final message. */
  userId: string;
  /** For a rerun: the job it fixes and what changed, for the before/after comparison posted at the end. */
  rerunOf?: { job: JobRecord; changes: FixChange[] };
  /** Said on the first progress line (e.g. that the bot restarted since the job was queued). */
  note?: string;
}

export const cancelRow = (jobId: string) =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId(buttonId('train', 'cancel', jobId)).setLabel('Cancel').setStyle(ButtonStyle.Danger).setEmoji('✖️'));

export const rerunRow = (jobId: string) =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId(buttonId('train', 'rerun', jobId)).setLabel('Rerun with fix').setStyle(ButtonStyle.Primary).setEmoji('🔁'));

function jobsOf(ctx: BotContext): TrainingJobs {
  if (!ctx.jobs) throw new Error('training jobs are not enabled on this bot');
  return ctx.jobs;
}

/** Updates the progress line as the job runs and posts the verdict (and, for a rerun, the comparison) when it ends. */
export async function followJob(client: Client, ctx: BotContext, job: JobRecord, o: FollowOptions): Promise<void> {
  const jobs = jobsOf(ctx);
  const config = job.config as JobConfig;
  const head = `**${o.title}** · job \`${job.id}\``;
  // Elapsed time and ETA count from the start of training (the 'data' event), not the queue wait or the load.
  let started = ctx.now();
  let backend = '';
  let lastEdit = 0;
  // The progress message's id is kept on the job the first time it is known, so a restarted bot edits it.
  let kept = job.progressMessageId;
  const progress: ProgressSink = async (content, components) => {
    const m = await o.progress(content, components);
    const id = (m as { id?: unknown } | null | undefined)?.id;
    if (typeof id === 'string' && id !== kept) {
      kept = id;
      await jobs.setProgressMessage(job.id, id).catch((err: unknown) => ctx.log.warn({ err, jobId: job.id }, 'could not keep a job’s progress message'));
    }
    return m;
  };
  const edit = async (line: string, final = false) => {
    if (!final && ctx.now() - lastEdit < MIN_EDIT_INTERVAL_MS) return;
    lastEdit = ctx.now();
    // A reply's token dies after 15 minutes: the message posted at the end still reaches people.
    await progress(`${head}${backend ? ` · ${backend}` : ''}\n\`${line}\``, final ? [] : [cancelRow(job.id)]).catch(() => undefined);
  };
  // Watch before anything is awaited: a job that ends meanwhile would otherwise never be reported.
  let ended = false;
  jobs.watch(job.id, async (e: JobWatchEvent) => {
    if (e.type === 'progress') {
      const ev = e.event;
      if (ev.type === 'backend') backend = ev.backend.name;
      else if (ev.type === 'data') started = ctx.now();
      else if (ev.type === 'batch') await edit(progressLine({ ...ev.report, epochs: config.epochs, elapsedMs: ctx.now() - started, backend }));
      else if (ev.type === 'epoch') {
        lastEdit = 0;
        await edit(epochProgressLine(ev.report, ctx.now() - started, backend));
      }
      return;
    }
    if (e.type !== 'finished') return;
    ended = true;
    await edit(statusLine(e.job), true);
    await postEnd(client, ctx, e.job, { title: o.title, channelId: o.channelId, userId: o.userId, result: e.result, backend, rerunOf: o.rerunOf });
  });
  const position = await jobs.position(job.id);
  if (!ended) await progress(`${head}\n${position ? `queued (position ${position})` : 'starting…'}${o.note ? `\n${o.note}` : ''}`, [cancelRow(job.id)]).catch(() => undefined);
}

function statusLine(done: JobRecord): string {
  return done.status === 'finished' ? '✅ finished' : done.status === 'cancelled' ? '✖️ cancelled' : `❌ ${done.status}${done.error ? `: ${done.error}` : ''}`;
}

interface EndOptions {
  title: string;
  channelId: string;
  userId: string | null;
  /** What the job's child measured; null when the job ended in an earlier process. */
  result: TrainingJobResult | null;
  backend?: string;
  rerunOf?: { job: JobRecord; changes: FixChange[] };
  /** Said after the head when the end is reported after a restart. */
  late?: string;
}

/** The end of a job where it was asked for: the checklist and chart when it finished, else its status. */
async function postEnd(client: Client, ctx: BotContext, done: JobRecord, o: EndOptions): Promise<void> {
  const head = `**${o.title}** · job \`${done.id}\`${o.late ? ` (${o.late})` : ''}`;
  const status = statusLine(done);
  const channel = await client.channels.fetch(o.channelId).catch(() => null);
  if (!channel?.isSendable()) {
    ctx.log.warn({ jobId: done.id, channelId: o.channelId }, 'cannot post a training job’s end: channel gone or not sendable');
    return;
  }
  const verdict = o.result?.verdict ?? (o.result ? null : await storedVerdict(ctx, done));
  if (done.status !== 'finished' || !verdict || !done.runId) {
    await channel.send({ content: `${head}: ${status}`, allowedMentions: { parse: [] } });
    return;
  }
  const run = await ctx.store.getRun(done.runId);
  if (!run) return;
  const { series: _s, notes: _n, meta: _m, ...summary } = run;
  const outcome = o.result?.outcome;
  const meta = outcome?.status === 'finished' ? outcome.result.meta : null;
  const speed = meta ? ` at ${Math.round(meta.samplesPerSecond)} samples/s` : '';
  const trained = meta ? `trained ${meta.epochsRun} epochs` : `trained ${run.epochs ?? '?'} epochs`;
  const chart = await drawChart(() => ({ svg: renderRunChartSvg(run, verdict) }), ctx.reporter.rasterise, { log: ctx.log, what: { jobId: done.id, runId: run.id } });
  // A job on a team's own model says how its files were read and how it trained (graph step or op by op).
  const custom = (done.config as { preset?: unknown } | null)?.preset === 'custom';
  const notes = custom ? (outcome?.status === 'finished' ? outcome.result.notes : run.notes).filter((n) => !n.startsWith('label errors')) : [];
  const notesText = notes.length ? `\n${notes.map((n) => `· ${n}`).join('\n')}`.slice(0, 1500) : '';
  const reply = diagnosisReply(
    { run: summary, verdict, chartPng: chart.png, chartProblem: chart.problem },
    { content: `${head}: ${trained} on **${meta?.backend ?? (done.backend || o.backend || '?')}**${speed} for <@${done.requestedBy ?? o.userId}>.${notesText}`, threadButton: !channel.isThread() },
  );
  // Offered only when the fixes change the config: a button that reruns the same job would be a lie.
  if (fixChanges(done.config as JobConfig, verdict) > 0) reply.components.push(rerunRow(done.id));
  await channel.send(reply);
  if (o.rerunOf?.job.runId) {
    const comparison = await compareRuns(ctx.store, o.rerunOf.job.runId, done.runId, overlayChartWith(ctx.reporter.rasterise, ctx.log));
    const changes = o.rerunOf.changes.map((c) => c.description).join('; ');
    await channel.send({
      ...compareReply(comparison),
      content: `**Before and after the fix** (${changes}): A = job \`${o.rerunOf.job.id}\`, B = job \`${done.id}\`.`.slice(0, 2000),
    });
  }
}

/** The final verdict of a job that ended in an earlier process, from its stored run and measured context. */
async function storedVerdict(ctx: BotContext, job: JobRecord): Promise<Verdict | null> {
  return (await jobsOf(ctx).fixFor(job.id).catch(() => null))?.verdict ?? null;
}

/** How many config changes the verdict's fixes make (0 when the stored config no longer validates). */
function fixChanges(config: JobConfig, verdict: Verdict): number {
  try {
    return applyFix(config, verdict).changes.length;
  } catch {
    return 0;
  }
}

/** The job a rerun fixes and the changes it made (recomputed: the fix is a function of the stored verdict). */
async function rerunOf(ctx: BotContext, job: JobRecord): Promise<FollowOptions['rerunOf']> {
  if (!job.parentJobId) return undefined;
  const fix = await jobsOf(ctx).fixFor(job.parentJobId).catch(() => null);
  if (!fix) return undefined;
  // A rate the rerun took from a range test (a custom job) is not the ÷10 the stored verdict gives again.
  let rate: number | null = null;
  let before: number | null = null;
  try {
    rate = parseJobConfig(job.config).learningRate;
    before = parseJobConfig(fix.job.config).learningRate;
  } catch {
    rate = null;
  }
  const changes = fix.changes.map((c) =>
    rate !== null && before !== null && rate !== fix.config.learningRate && c.description.startsWith('learning rate ') ? { ...c, description: describeRateChange(before, rate, true) } : c,
  );
  return { job: fix.job, changes };
}

export function jobTitle(job: JobRecord): string {
  const name = safeRunName(job);
  return job.parentJobId ? `${name}, rerun of ${job.parentJobId}` : name;
}

function presetOf(job: JobRecord): string {
  return String((job.config as { preset?: unknown } | null)?.preset ?? 'unknown');
}

function safeRunName(job: JobRecord): string {
  try {
    return jobRunName(parseJobConfig(job.config));
  } catch {
    return presetOf(job);
  }
}

/**
 * A progress line that is an ordinary message in a channel: the message shown before (`existingId`, the /train reply
 * or the rerun's thread message a stopped bot was editing) when it can still be edited, else one posted on the
 * first update; edited after.
 */
function messageSink(client: Client, channelId: string, existingId: string | null): ProgressSink {
  let message: Promise<Message | null> | null = null;
  return async (content, components) => {
    if (!message) {
      message = client.channels
        .fetch(channelId)
        .then(async (c): Promise<Message | null> => {
          if (!c?.isSendable()) return null;
          const old = existingId ? await editableMessage(c, existingId) : null;
          if (old) return old.edit({ content, components });
          return c.send({ content, components, allowedMentions: { parse: [] } });
        })
        .catch(() => null);
      return message;
    }
    const m = await message;
    return m?.edit({ content, components });
  };
}

/** A message of this bot in `channel` that it can still edit; null when it is gone or not the bot's. */
async function editableMessage(channel: Channel | null, messageId: string): Promise<Message | null> {
  const m = channel && 'messages' in channel ? await channel.messages.fetch(messageId).catch(() => null) : null;
  return m?.editable ? m : null;
}

async function closeProgressMessage(client: Client, channelId: string, job: JobRecord): Promise<void> {
  if (!job.progressMessageId) return;
  const m = await editableMessage(await client.channels.fetch(channelId).catch(() => null), job.progressMessageId);
  if (!m) return;
  const status = job.status === 'interrupted' ? '⚠️ interrupted: runmedic stopped while it ran' : statusLine(job);
  await m.edit({ content: `**${jobTitle(job)}** · job \`${job.id}\`\n\`${status}\``, components: [] }).catch(() => undefined);
}

/**
 * How an interrupted job can be run again: a rerun by clicking its parent's button again (an interrupted rerun does
 * not count as the parent's rerun), a /train job with the same command (its options, where /train has them).
 */
function againHint(job: JobRecord): string {
  if (job.parentJobId) return `It can be rerun: click **Rerun with fix** on job \`${job.parentJobId}\`’s checklist again.`;
  let config: JobConfig;
  try {
    config = parseJobConfig(job.config);
  } catch {
    return 'It can be started again with /train.';
  }
  if (config.preset === 'custom') return `It can be started again with /train model: data: and the same files (${config.custom.model.name}, ${config.custom.data.name}).`;
  const opts: string[] = [`preset:${config.preset}`];
  const c = config as unknown as Record<string, unknown>;
  const flags: [string, string][] = [['learningRate', 'lr'], ['epochs', 'epochs'], ['batchSize', 'batch-size'], ['optimizer', 'optimizer'], ['limit', 'limit'], ['seed', 'seed']];
  for (const [key, name] of flags) if (c[key] !== undefined && c[key] !== null) opts.push(`${name}:${String(c[key])}`);
  return `It can be rerun: \`/train ${opts.join(' ')}\`.`;
}

/**
 * After a start: follows again every job with a Discord target that is still queued or running (its progress on a new
 * message in its channel or thread, its results where they would have gone), and reports once each ended job nobody
 * reported. Interrupted jobs are said to be interrupted, with how to run them again. A job that finished while no
 * bot reported it (the process died between the job's end and its post) has its results posted once, marked late:
 * the person who asked is told nowhere else, and the stored claim keeps it to one post.
 */
export async function resumeJobReports(client: Client, ctx: BotContext): Promise<{ followed: string[]; reported: string[] }> {
  const jobs = jobsOf(ctx);
  const pending = await jobs.pendingReports();
  // With the bot sharded over processes each one takes the jobs of its own servers' channels: every process seeing
  // every job would follow a job twice, and one that claimed another server's report could not post it.
  const mine = async (list: JobRecord[]) => {
    const out: JobRecord[] = [];
    for (const job of list) if (await ownsChannel(client, jobReportTarget(job)!)) out.push(job);
    return out;
  };
  const [live, ended] = [await mine(pending.live), await mine(pending.ended)];
  const followed: string[] = [];
  for (const job of live) {
    const target = jobReportTarget(job)!;
    await followJob(client, ctx, job, {
      title: jobTitle(job),
      progress: messageSink(client, target, job.progressMessageId),
      channelId: target,
      userId: job.requestedBy ?? '',
      rerunOf: await rerunOf(ctx, job),
      note: '(runmedic restarted since this job was queued: progress and results continue here)',
    });
    followed.push(job.id);
  }
  const reported: string[] = [];
  for (const job of ended) {
    if (!(await jobs.claimReport(job.id))) continue;
    const target = jobReportTarget(job)!;
    ctx.log.warn({ jobId: job.id, status: job.status, runId: job.runId }, 'reporting a training job that ended before this start');
    try {
      // The progress line a stopped bot left (last epoch, a Cancel button) says how the job ended instead.
      await closeProgressMessage(client, target, job);
      if (job.status === 'interrupted') {
        const channel = await client.channels.fetch(target).catch(() => null);
        if (!channel?.isSendable()) continue;
        const kept = job.runId ? ` Its run \`${job.runId}\` is kept as it was.` : '';
        await channel.send({
          content: `⚠️ **${jobTitle(job)}** · job \`${job.id}\` (${presetOf(job) === 'custom' ? 'your own model' : `preset \`${presetOf(job)}\``}) was interrupted when runmedic stopped.${kept} ${againHint(job)}`.slice(0, 2000),
          allowedMentions: { parse: [] },
        });
      } else {
        await postEnd(client, ctx, job, { title: jobTitle(job), channelId: target, userId: job.requestedBy, result: null, rerunOf: await rerunOf(ctx, job), late: 'posted late: it ended while runmedic was down' });
      }
      reported.push(job.id);
    } catch (err) {
      ctx.log.warn({ err, jobId: job.id }, 'could not report a training job that ended before this start');
    }
  }
  return { followed, reported };
}
