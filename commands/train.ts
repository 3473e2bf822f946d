/**
 * /train preset [options…]: queue a TensorFlow.js training job. Only members with TRAIN_ROLE_ID (or Manage Server)
 * may start or cancel jobs. The reply is a progress message edited each epoch with a Cancel button; the verdict and
 * chart are posted as an ordinary channel message at the end (an interaction token dies after 15 minutes), with a
 * "Rerun with fix" button that applies the verdict's fixes to the job's config.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  ChannelType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
} from 'discord.js';
import { UserFacingError, buttonId, type BotContext, type BotCommand } from '../src/bot/command.ts';
import { diagnosisReply } from '../src/bot/presenters/diagnosis-reply.ts';
import { renderRunChart } from '../src/charts/run-chart.ts';
import { PRESET_NAMES, type JobConfig, type PresetName } from '../src/jobs/job-config.ts';
import { resolveJobConfig } from '../src/jobs/presets.ts';
import { FAULT_SPECS, FaultSpecError, parseFaultSpecs } from '../src/jobs/fault-spec.ts';
import { applyFix, type FixChange } from '../src/jobs/apply-fix.ts';
import { compareRuns } from '../src/app/compare-runs.ts';
import { compareReply } from '../src/bot/presenters/compare-reply.ts';
import { threadName } from '../src/alerts/outbox-dispatcher.ts';
import { progressLine } from '../src/jobs/progress-line.ts';
import { jobRunName } from '../src/app/run-training-job.ts';
import type { JobRecord } from '../src/store/job-store.ts';
import type { Verdict } from '../src/domain/verdict.ts';
import type { JobWatchEvent, TrainingJobs } from '../src/app/training-jobs.ts';

/** Discord allows 5 edits per 5 s per message; one per epoch is far below, but batch-level updates are throttled. */
const MIN_EDIT_INTERVAL_MS = 2000;

function jobsOf(ctx: BotContext): TrainingJobs {
  if (!ctx.jobs) throw new UserFacingError('Training jobs are not enabled on this bot.');
  return ctx.jobs;
}

/**
 * Manage Server always may; otherwise the member needs the configured training role. With no role configured only
 * Manage Server may: a job takes the machine's cores for minutes, so it is not open to everyone by default.
 */
export function mayTrain(i: ChatInputCommandInteraction | ButtonInteraction, roleId: string | undefined): boolean {
  if (i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  if (!roleId) return false;
  if (!i.member) return false;
  const roles = i.member.roles;
  return Array.isArray(roles) ? roles.includes(roleId) : roles.cache.has(roleId);
}

function refuse(ctx: BotContext): never {
  throw new UserFacingError(
    ctx.config.trainRoleId
      ? `Training jobs need the <@&${ctx.config.trainRoleId}> role or Manage Server.`
      : 'Training jobs need Manage Server (no training role is set: ask an admin to set TRAIN_ROLE_ID).',
  );
}

const cancelRow = (jobId: string) =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId(buttonId('train', 'cancel', jobId)).setLabel('Cancel').setStyle(ButtonStyle.Danger).setEmoji('✖️'));

/** Where a job's progress line lives: the reply to /train, or (for a rerun) a message in the run's thread. */
type ProgressSink = (content: string, components: ActionRowBuilder<ButtonBuilder>[]) => Promise<unknown>;

interface FollowOptions {
  /** Bold first line of every message about the job. */
  title: string;
  progress: ProgressSink;
  /** Where the checklist and chart go at the end (an ordinary message: the interaction token dies after 15 minutes). */
  channelId: string;
  /** Who asked, mentioned in the final message. */
  userId: string;
  /** For a rerun: the job it fixes and what changed, for the before/after comparison posted at the end. */
  rerunOf?: { job: JobRecord; changes: FixChange[] };
}

/** Updates the progress line as the job runs and posts the verdict (and, for a rerun, the comparison) when it ends. */
async function follow(client: Client, ctx: BotContext, job: JobRecord, o: FollowOptions): Promise<void> {
  const jobs = jobsOf(ctx);
  const config = job.config as JobConfig;
  const head = `**${o.title}** · job \`${job.id}\``;
  const started = ctx.now();
  let backend = '';
  let lastEdit = 0;
  const edit = async (line: string, final = false) => {
    if (!final && ctx.now() - lastEdit < MIN_EDIT_INTERVAL_MS) return;
    lastEdit = ctx.now();
    // A reply's token dies after 15 minutes: the message posted at the end still reaches people.
    await o.progress(`${head}${backend ? ` · ${backend}` : ''}\n\`${line}\``, final ? [] : [cancelRow(job.id)]).catch(() => undefined);
  };
  // Watch before anything is awaited: a job that ends meanwhile would otherwise never be reported.
  let ended = false;
  jobs.watch(job.id, async (e: JobWatchEvent) => {
    if (e.type === 'progress') {
      const ev = e.event;
      if (ev.type === 'backend') backend = ev.backend.name;
      else if (ev.type === 'batch') await edit(progressLine({ ...ev.report, epochs: config.epochs, elapsedMs: ctx.now() - started, backend }));
      else if (ev.type === 'epoch') {
        const r = ev.report;
        lastEdit = 0;
        await edit(progressLine({ epochs: r.epochs, epoch: r.epoch, batch: 1, batches: 1, loss: r.loss, accuracy: r.accuracy, valLoss: r.valLoss, valAccuracy: r.valAccuracy, elapsedMs: ctx.now() - started, backend }));
      }
      return;
    }
    if (e.type !== 'finished') return;
    ended = true;
    const done = e.job;
    const outcome = e.result?.outcome;
    const status = done.status === 'finished' ? '✅ finished' : done.status === 'cancelled' ? '✖️ cancelled' : `❌ ${done.status}${done.error ? `: ${done.error}` : ''}`;
    await edit(status, true);
    const channel = await client.channels.fetch(o.channelId).catch(() => null);
    if (!channel?.isSendable()) return;
    if (done.status !== 'finished' || !e.result?.verdict || !done.runId) {
      await channel.send({ content: `${head}: ${status}` });
      return;
    }
    const run = await ctx.store.getRun(done.runId);
    if (!run) return;
    const verdict = e.result.verdict;
    const { series: _s, notes: _n, meta: _m, ...summary } = run;
    const meta = outcome?.status === 'finished' ? outcome.result.meta : null;
    const speed = meta ? ` at ${Math.round(meta.samplesPerSecond)} samples/s` : '';
    const reply = diagnosisReply(
      { run: summary, verdict, chartPng: renderRunChart(run, verdict).png },
      { content: `${head}: trained ${meta?.epochsRun ?? '?'} epochs on **${meta?.backend ?? backend}**${speed} for <@${done.requestedBy ?? o.userId}>.`, threadButton: !channel.isThread() },
    );
    // Offered only when the fixes change the config: a button that reruns the same job would be a lie.
    if (fixChanges(config, verdict) > 0) reply.components.push(rerunRow(done.id));
    await channel.send(reply);
    if (o.rerunOf?.job.runId) {
      const comparison = await compareRuns(ctx.store, o.rerunOf.job.runId, done.runId);
      const changes = o.rerunOf.changes.map((c) => c.description).join('; ');
      await channel.send({
        ...compareReply(comparison),
        content: `**Before and after the fix** (${changes}): A = job \`${o.rerunOf.job.id}\`, B = job \`${done.id}\`.`.slice(0, 2000),
      });
    }
  });
  const position = await jobs.position(job.id);
  if (!ended) await o.progress(`${head}\n${position ? `queued (position ${position})` : 'starting…'}`, [cancelRow(job.id)]);
}

/** How many config changes the verdict's fixes make (0 when the stored config no longer validates). */
function fixChanges(config: JobConfig, verdict: Verdict): number {
  try {
    return applyFix(config, verdict).changes.length;
  } catch {
    return 0;
  }
}

const rerunRow = (jobId: string) =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId(buttonId('train', 'rerun', jobId)).setLabel('Rerun with fix').setStyle(ButtonStyle.Primary).setEmoji('🔁'));

/**
 * The thread a rerun reports in: the one the button was clicked in, else the old run's thread, else a new thread on
 * the verdict message (saved as the run's thread, so its alerts go there too). Null where no thread can be opened.
 */
async function rerunThread(i: ButtonInteraction, ctx: BotContext, parent: JobRecord): Promise<string | null> {
  if (i.channel?.isThread()) return i.channelId;
  if (!i.inGuild() || !parent.runId) return null;
  const run = (await ctx.store.findRuns(parent.runId)).find((r) => r.id === parent.runId);
  if (!run) return null;
  const existing = await ctx.alerts.threadOf(i.guildId, run);
  if (existing && (await i.client.channels.fetch(existing.threadId).catch(() => null))) return existing.threadId;
  if (i.channel?.type !== ChannelType.GuildText) return null;
  try {
    const thread = await i.message.startThread({ name: threadName(run.name) });
    await ctx.alerts.saveThread({ guildId: i.guildId, runKey: run.name, runId: run.id, channelId: i.channelId, threadId: thread.id });
    return thread.id;
  } catch (e) {
    // The message may already carry a thread someone opened by hand: report in the channel rather than fail.
    ctx.log.warn({ err: e, messageId: i.message.id }, 'could not open a thread for a rerun');
    return null;
  }
}

const command: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('train')
    .setDescription('Train a preset network with TensorFlow.js, watch it live, get the checklist at the end')
    .addStringOption((o) => o.setName('preset').setDescription('What to train').setRequired(true).addChoices(...PRESET_NAMES.map((p) => ({ name: p, value: p }))))
    .addNumberOption((o) => o.setName('lr').setDescription('Learning rate').setMinValue(1e-7).setMaxValue(10))
    .addIntegerOption((o) => o.setName('epochs').setDescription('Epochs').setMinValue(1).setMaxValue(200))
    .addIntegerOption((o) => o.setName('batch-size').setDescription('Batch size').setMinValue(1).setMaxValue(4096))
    .addStringOption((o) => o.setName('optimizer').setDescription('Optimizer').addChoices(...['adam', 'sgd', 'momentum', 'rmsprop'].map((v) => ({ name: v, value: v }))))
    .addStringOption((o) => o.setName('fault').setDescription(`Faults, comma-separated: ${FAULT_SPECS.slice(0, 4).join(', ')} …`.slice(0, 100)).setMaxLength(200))
    .addIntegerOption((o) => o.setName('limit').setDescription('Use only this many examples').setMinValue(10))
    .addIntegerOption((o) => o.setName('seed').setDescription('Random seed')),

  async execute(i, ctx) {
    const jobs = jobsOf(ctx);
    if (!i.inGuild()) throw new UserFacingError('Training jobs can be started in servers only.');
    if (!mayTrain(i, ctx.config.trainRoleId)) refuse(ctx);
    let config: JobConfig;
    try {
      const faults = parseFaultSpecs(i.options.getString('fault') ? [i.options.getString('fault')!] : []);
      config = resolveJobConfig(
        i.options.getString('preset', true) as PresetName,
        {
          learningRate: i.options.getNumber('lr') ?? undefined,
          epochs: i.options.getInteger('epochs') ?? undefined,
          batchSize: i.options.getInteger('batch-size') ?? undefined,
          optimizer: (i.options.getString('optimizer') as JobConfig['optimizer'] | null) ?? undefined,
          limit: i.options.getInteger('limit') ?? undefined,
          seed: i.options.getInteger('seed') ?? undefined,
        },
        faults,
      );
    } catch (e) {
      if (e instanceof FaultSpecError) throw new UserFacingError(e.message);
      throw e;
    }
    await i.deferReply();
    const job = await jobs.enqueue(config, { requestedBy: i.user.id, channelId: i.channelId });
    await follow(i.client, ctx, job, {
      title: jobRunName(config),
      progress: (content, components) => i.editReply({ content, components }),
      channelId: i.channelId,
      userId: i.user.id,
    });
  },

  buttons: {
    async cancel(i, ctx, [jobId]) {
      const jobs = jobsOf(ctx);
      const job = jobId ? await jobs.get(jobId) : null;
      if (!job) throw new UserFacingError(`No job ${jobId}.`);
      if (job.requestedBy !== i.user.id && !mayTrain(i, ctx.config.trainRoleId)) refuse(ctx);
      const cancelled = await jobs.cancel(job.id);
      await i.reply({ content: cancelled ? `✖️ Job \`${job.id}\` cancelled.` : `Job \`${job.id}\` had already ended (${job.status}).`, flags: MessageFlags.Ephemeral });
    },

    async rerun(i, ctx, [jobId]) {
      const jobs = jobsOf(ctx);
      if (!mayTrain(i, ctx.config.trainRoleId)) refuse(ctx);
      if (!jobId) throw new UserFacingError('This button names no job.');
      const r = await jobs.rerunWithFix(jobId, { requestedBy: i.user.id, channelId: i.channelId });
      if (r.status === 'not-finished') {
        throw new UserFacingError(r.parent ? `Job \`${jobId}\` is ${r.parent.status}: only a finished job's verdict can be rerun with its fix.` : `There is no job \`${jobId}\` any more.`);
      }
      if (r.status === 'nothing-to-fix') throw new UserFacingError(`None of the findings on job \`${jobId}\` maps to a setting a rerun could change.`);
      if (r.status === 'already') {
        const where = r.job.runId ? ` (run \`${r.job.runId}\`)` : '';
        await i.reply({ content: `🔁 Job \`${jobId}\` was already rerun with its fix: job \`${r.job.id}\`${where}, ${r.job.status}. See /jobs.`, flags: MessageFlags.Ephemeral });
        return;
      }
      await i.deferReply();
      const config = r.job.config as JobConfig;
      const changes = r.changes.map((c) => c.description).join('; ');
      const threadId = await rerunThread(i, ctx, r.parent).catch((err: unknown) => {
        ctx.log.warn({ err, jobId: r.job.id }, 'no thread for a rerun: reporting in the channel');
        return null;
      });
      const thread = threadId ? await i.client.channels.fetch(threadId).catch(() => null) : null;
      // The job is queued: from here on nothing may fail without its results still finding a place to go.
      let progress: ProgressSink = (content, components) => i.editReply({ content, components });
      let resultsIn = threadId === i.channelId ? threadId : i.channelId;
      if (thread?.isSendable() && threadId && threadId !== i.channelId) {
        // Progress lives in the thread beside the results; an ordinary message can be edited for as long as the job runs.
        const message = await thread.send({ content: `🔁 Rerun of job \`${jobId}\` queued…` }).catch(() => null);
        if (message) {
          progress = (content, components) => message.edit({ content, components });
          resultsIn = threadId;
          await i.editReply({ content: `🔁 <@${i.user.id}> reruns job \`${jobId}\` with the fix (${changes}) as job \`${r.job.id}\`. Progress and results: <#${threadId}>.`.slice(0, 2000), allowedMentions: { parse: [] } });
        }
      }
      await follow(i.client, ctx, r.job, {
        title: `${jobRunName(config)}, rerun of ${jobId}`,
        progress,
        channelId: resultsIn,
        userId: i.user.id,
        rerunOf: { job: r.parent, changes: r.changes },
      });
    },
  },
};

export default command;
