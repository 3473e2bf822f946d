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
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { UserFacingError, buttonId, type BotContext, type BotCommand } from '../src/bot/command.ts';
import { diagnosisReply } from '../src/bot/presenters/diagnosis-reply.ts';
import { renderRunChart } from '../src/charts/run-chart.ts';
import { PRESET_NAMES, type JobConfig, type PresetName } from '../src/jobs/job-config.ts';
import { resolveJobConfig } from '../src/jobs/presets.ts';
import { FAULT_SPECS, FaultSpecError, parseFaultSpecs } from '../src/jobs/fault-spec.ts';
import { fixableItems } from '../src/jobs/apply-fix.ts';
import { progressLine } from '../src/jobs/progress-line.ts';
import { jobRunName } from '../src/app/run-training-job.ts';
import type { JobRecord } from '../src/store/job-store.ts';
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

/** Edits `i`'s reply as the job progresses and posts the verdict in the channel when it ends. */
async function follow(i: ChatInputCommandInteraction | ButtonInteraction, ctx: BotContext, job: JobRecord, title: string): Promise<void> {
  const jobs = jobsOf(ctx);
  const config = job.config as JobConfig;
  const head = `**${title}** · job \`${job.id}\``;
  const started = ctx.now();
  let backend = '';
  let lastEdit = 0;
  const edit = async (line: string, final = false) => {
    if (!final && ctx.now() - lastEdit < MIN_EDIT_INTERVAL_MS) return;
    lastEdit = ctx.now();
    // After 15 minutes the token is dead: the channel message at the end still reaches people.
    await i.editReply({ content: `${head}${backend ? ` · ${backend}` : ''}\n\`${line}\``, components: final ? [] : [cancelRow(job.id)] }).catch(() => undefined);
  };
  const position = await jobs.position(job.id);
  await i.editReply({ content: `${head}\n${position ? `queued (position ${position})` : 'starting…'}`, components: [cancelRow(job.id)] });

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
    const done = e.job;
    const outcome = e.result?.outcome;
    const status = done.status === 'finished' ? '✅ finished' : done.status === 'cancelled' ? '✖️ cancelled' : `❌ ${done.status}${done.error ? `: ${done.error}` : ''}`;
    await edit(status, true);
    const channel = await i.client.channels.fetch(i.channelId).catch(() => null);
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
    const reply = diagnosisReply(
      { run: summary, verdict, chartPng: renderRunChart(run, verdict).png },
      { content: `${head} trained ${meta?.epochsRun ?? '?'} epochs on **${meta?.backend ?? backend}**${meta ? ` at ${Math.round(meta.samplesPerSecond)} samples/s` : ''} for <@${done.requestedBy ?? i.user.id}>.` },
    );
    if (fixableItems(verdict).length) {
      reply.components.push(
        new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId(buttonId('train', 'rerun', done.id)).setLabel('Rerun with fix').setStyle(ButtonStyle.Primary).setEmoji('🔁')),
      );
    }
    await channel.send(reply);
  });
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
    await follow(i, ctx, job, jobRunName(config));
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
      const fix = jobId ? await jobs.fixFor(jobId) : null;
      if (!fix) throw new UserFacingError(`Job ${jobId} has no finished run to fix.`);
      if (fix.changes.length === 0) throw new UserFacingError('The verdict suggests nothing this job can change.');
      await i.deferReply();
      const job = await jobs.enqueue(fix.config, { requestedBy: i.user.id, channelId: i.channelId, parentJobId: fix.job.id });
      await follow(i, ctx, job, `${jobRunName(fix.config)} (rerun of ${fix.job.id}: ${fix.changes.map((c) => c.description).join('; ')})`.slice(0, 300));
    },
  },
};

export default command;
