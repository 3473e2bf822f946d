/**
 * Wiring of digests for the long-running service: the use cases (for /digest) exist before the bot logs in; the
 * scheduler starts once the Discord client is up, since it posts through it.
 */
import type { Client } from 'discord.js';
import type { DigestStore } from '../store/digest-store.ts';
import type { JobStore } from '../store/job-store.ts';
import type { Logger } from '../logger.ts';
import type { RunStore } from '../store/run-store.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { RunReporter } from '../app/run-report.ts';
import { Digests } from '../app/digests.ts';
import { discordDigestPoster } from '../bot/discord-digest-poster.ts';
import { NodeCronTimer, systemClock, type Clock, type SlotTimer } from './clock.ts';
import { DigestScheduler } from './digest-scheduler.ts';

export interface DigestWiring {
  digests: Digests;
  /** Arms the stored schedules and posts digests missed while down; returns the running scheduler. */
  start(client: Client): Promise<DigestScheduler>;
}

export function createDigests(deps: {
  /** The digest schedules and slots, and the jobs (queued count), of the process's database. */
  stores: { digests: DigestStore; jobs: JobStore };
  runs: RunStore;
  alerts: AlertService;
  reporter: RunReporter;
  log: Logger;
  clock?: Clock;
  timer?: SlotTimer;
  instanceId?: string;
}): DigestWiring {
  const clock = deps.clock ?? systemClock;
  const store = deps.stores.digests;
  const jobs = deps.stores.jobs;
  const digests = new Digests({
    store,
    clock,
    sources: {
      runs: deps.runs,
      storedVerdict: (runId) => deps.alerts.store.latestVerdict(runId),
      computeVerdict: (run) => deps.reporter.verdictOf(run),
      threadOf: async (guildId, run) => (await deps.alerts.threadOf(guildId, run))?.threadId ?? null,
      queuedJobs: () => jobs.countByStatus('queued'),
      // The grid is drawn where the reporter draws the run charts (the service: a child process).
      rasterise: deps.reporter.rasterise,
      log: deps.log,
    },
  });
  return {
    digests,
    async start(client) {
      const scheduler = new DigestScheduler({
        store,
        clock,
        timer: deps.timer ?? new NodeCronTimer(),
        log: deps.log.child({ component: 'digests' }),
        build: (schedule, previous, now) => digests.build(schedule, previous, now),
        post: discordDigestPoster(client),
        ...(deps.instanceId ? { instanceId: deps.instanceId } : {}),
      });
      digests.attach(scheduler);
      await scheduler.start();
      return scheduler;
    },
  };
}
