/**
 * /train preset [options…] or /train model:<file> data:<file> [options…]: queue a TensorFlow.js training job on a
 * preset, or on the team's own model and data (issue 19). Only members with TRAIN_ROLE_ID (or Manage Server)
 * may start or cancel jobs. The reply is a progress message edited each epoch with a Cancel button; the verdict and
 * chart are posted as an ordinary channel message at the end (an interaction token dies after 15 minutes), with a
 * "Rerun with fix" button that applies the verdict's fixes to the job's config.
 */
import {
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  ChannelType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { UserFacingError, type BotContext, type BotCommand } from '../src/bot/command.ts';
import { PRESET_NAMES, type JobConfig, type PresetName, type TrainingSettings } from '../src/jobs/job-config.ts';
import { attachmentHosts, downloadAttachment } from '../src/bot/download-attachment.ts';
import { checkCustomSettings, customJobConfig, NotForCustomModel } from '../src/app/custom-job-config.ts';
import { CustomCheckFailed, runCustomCheckInChild } from '../src/app/custom-check-process.ts';
import { resolveJobConfig } from '../src/jobs/presets.ts';
import { FAULT_SPECS, FaultSpecError, parseFaultSpecs } from '../src/jobs/fault-spec.ts';
import { threadName } from '../src/alerts/outbox-dispatcher.ts';
import { jobRunName } from '../src/app/run-training-job.ts';
import type { JobRecord } from '../src/store/job-store.ts';
import type { TrainingJobs } from '../src/app/training-jobs.ts';
import type { RateSuggestion } from '../src/app/lr-find-results.ts';
import { followJob, type ProgressSink } from '../src/bot/job-follower.ts';

/** Where a rerun's rate came from, as the click's answer says it. */
const RATE_FROM: Record<RateSuggestion['from'], string> = {
  lrfind: 'an earlier /lrfind on the same model and data',
  earlier: 'a range test run earlier for a rerun of the same model and data',
  new: 'a range test just run on its model and data',
};

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
    .setDescription('Train a preset, or your own model on your data, watch it live, get the checklist')
    .addStringOption((o) => o.setName('preset').setDescription('A preset to train (or give model and data)').setRequired(false).addChoices(...PRESET_NAMES.map((p) => ({ name: p, value: p }))))
    .addAttachmentOption((o) => o.setName('model').setDescription('Your model: Keras model.to_json(), a TensorFlow.js model.json, or a layer spec').setRequired(false))
    .addAttachmentOption((o) => o.setName('data').setDescription('Your data: a CSV with a label column, an .npz with x and y, or a zip of class folders').setRequired(false))
    .addStringOption((o) => o.setName('label').setDescription('The CSV column holding the label').setMaxLength(100).setRequired(false))
    .addNumberOption((o) => o.setName('val-split').setDescription('Validation share (0 for none; a file that sets its own apart keeps it)').setMinValue(0).setMaxValue(0.9))
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
    const preset = i.options.getString('preset') as PresetName | null;
    const model = i.options.getAttachment('model');
    const data = i.options.getAttachment('data');
    if (preset && (model || data)) throw new UserFacingError('Give a preset, or a model and data: a job trains one or the other.');
    if (!preset && !(model && data)) throw new UserFacingError(model || data ? `Give the ${model ? 'data' : 'model'} file too: a job on your own model needs both.` : 'Give a preset, or your own model and data (model: and data: attachments).');
    if (preset && i.options.getString('label') !== null) throw new UserFacingError('label: is the CSV column of your own data file; a preset has its own data.');
    let config: JobConfig;
    const settings: Partial<TrainingSettings> = {
      learningRate: i.options.getNumber('lr') ?? undefined,
      epochs: i.options.getInteger('epochs') ?? undefined,
      batchSize: i.options.getInteger('batch-size') ?? undefined,
      optimizer: (i.options.getString('optimizer') as JobConfig['optimizer'] | null) ?? undefined,
      validationSplit: i.options.getNumber('val-split') ?? undefined,
      limit: i.options.getInteger('limit') ?? undefined,
      seed: i.options.getInteger('seed') ?? undefined,
    };
    let faults;
    try {
      faults = parseFaultSpecs(i.options.getString('fault') ? [i.options.getString('fault')!] : []);
    } catch (e) {
      if (e instanceof FaultSpecError) throw new UserFacingError(e.message);
      throw e;
    }
    if (preset) {
      config = resolveJobConfig(preset, settings, faults);
      await i.deferReply();
    } else {
      try {
        checkCustomSettings(settings, faults);
      } catch (e) {
        if (e instanceof NotForCustomModel) throw new UserFacingError(`On your own model: ${e.message}.`);
        throw e;
      }
      // Held to INGEST_MAX_BYTES by their declared size before anything is downloaded (the role was checked above).
      const hosts = attachmentHosts(ctx.config.discordApiBase);
      const max = ctx.config.ingestMaxBytes;
      const refs = [model!, data!].map((a) => ({ url: a.url, name: a.name, size: a.size }));
      for (const r of refs) if (r.size > max) await downloadAttachment(r, max, hosts);
      await i.deferReply();
      const [modelBytes, dataBytes] = await Promise.all(refs.map((r) => downloadAttachment(r, max, hosts)));
      config = customJobConfig({ modelBytes: modelBytes!, modelName: model!.name, dataBytes: dataBytes!, dataName: data!.name, maxBytes: max, labelColumn: i.options.getString('label') ?? undefined }, settings, faults);
      // The data read and fitted to the model as the job will (in a child: it loads TensorFlow.js): a file at fault is
      // refused now, privately, and nothing is queued.
      // A check that could not run (its process died, timed out) leaves it to the job, which reads the files anyway.
      await runCustomCheckInChild({ kind: 'job-check', config }).catch((e: unknown) => {
        if (!(e instanceof CustomCheckFailed)) throw e;
        ctx.log.warn({ err: e.message }, 'could not check a custom job\'s files before queueing it');
      });
    }
    const job = await jobs.enqueue(config, { requestedBy: i.user.id, channelId: i.channelId });
    await followJob(i.client, ctx, job, {
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
      // A job's new rate may come from a range test run now (seconds): the click is acknowledged first.
      const r = await jobs.rerunWithFix(jobId, { requestedBy: i.user.id, channelId: i.channelId }, { beforeRangeTest: () => i.deferReply(), beforeWaitingForAnotherClick: () => i.deferReply({ flags: MessageFlags.Ephemeral }) });
      if (r.status === 'not-finished') {
        throw new UserFacingError(r.parent ? `Job \`${jobId}\` is ${r.parent.status}: only a finished job's verdict can be rerun with its fix.` : `There is no job \`${jobId}\` any more.`);
      }
      if (r.status === 'nothing-to-fix') throw new UserFacingError(`None of the findings on job \`${jobId}\` maps to a setting a rerun could change.`);
      if (r.status === 'already') {
        const where = r.job.runId ? ` (run \`${r.job.runId}\`)` : '';
        const content = `🔁 Job \`${jobId}\` was already rerun with its fix: job \`${r.job.id}\`${where}, ${r.job.status}. See /jobs.`;
        if (i.deferred) await i.editReply({ content });
        else await i.reply({ content, flags: MessageFlags.Ephemeral });
        return;
      }
      if (!i.deferred) await i.deferReply();
      const config = r.job.config as JobConfig;
      const rateFrom = r.rangeTest ? ` (its rate from ${RATE_FROM[r.rangeTest.from]})` : '';
      const changes = r.changes.map((c) => c.description).join('; ') + rateFrom;
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
          // Kept on the job, so a restarted bot still reports this rerun in the thread.
          await jobs.setReportTarget(r.job.id, threadId).catch((err: unknown) => ctx.log.warn({ err, jobId: r.job.id }, 'could not store a rerun’s thread'));
          await i.editReply({ content: `🔁 <@${i.user.id}> reruns job \`${jobId}\` with the fix (${changes}) as job \`${r.job.id}\`. Progress and results: <#${threadId}>.`.slice(0, 2000), allowedMentions: { parse: [] } });
        }
      }
      await followJob(i.client, ctx, r.job, {
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
