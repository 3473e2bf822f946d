/** The alert decision, its one-transaction outbox and the dispatcher's retries, on an in-memory database. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { SqliteAlertStore } from '../../src/store/sqlite-alert-store.ts';
import { AlertService } from '../../src/alerts/alert-service.ts';
import { OutboxDispatcher, backoffMs } from '../../src/alerts/outbox-dispatcher.ts';
import type { AlertMessage, Notifier } from '../../src/alerts/notifier.ts';
import type { Verdict, VerdictItem } from '../../src/domain/verdict.ts';
import { decideAlerts } from '../../src/alerts/decide-alerts.ts';
import type { DecisionInput } from '../../src/alerts/alert-store.ts';
import { silentLogger } from '../../src/logger.ts';

function item(id: string, status: VerdictItem['status']): VerdictItem {
  return { id, area: 'generalization', status, title: `${id} title`, evidence: { onsetEpoch: 12 }, fix: 'do things', marks: [] };
}
function verdict(runId: string, name: string, items: VerdictItem[]): Verdict {
  const status = items.some((i) => i.status === 'fail') ? 'fail' : 'pass';
  return { run: { id: runId, name, format: 'keras_csv', points: 10, epochs: 5 }, status, items };
}

class ScriptedNotifier implements Notifier {
  posts: AlertMessage[] = [];
  threads: { channelId: string; messageId: string; name: string }[] = [];
  failPosts = 0;
  failThreads = 0;
  private n = 0;
  async postAlert(m: AlertMessage) {
    this.posts.push(m);
    if (this.failPosts > 0) {
      this.failPosts--;
      throw new Error('503 from Discord');
    }
    return { messageId: `m${++this.n}` };
  }
  async openThread(channelId: string, messageId: string, name: string) {
    this.threads.push({ channelId, messageId, name });
    if (this.failThreads > 0) {
      this.failThreads--;
      throw new Error('thread failed');
    }
    return { threadId: `t-${messageId}` };
  }
}

describe('alert outbox', () => {
  let db: Database;
  let store: SqliteAlertStore;
  let alerts: AlertService;
  let notifier: ScriptedNotifier;
  let dispatcher: OutboxDispatcher;
  let clock = 1_000_000;
  const now = () => clock;

  beforeEach(async () => {
    db = openDatabase(':memory:');
    store = new SqliteAlertStore(db);
    alerts = new AlertService(store, now);
    notifier = new ScriptedNotifier();
    dispatcher = new OutboxDispatcher({ store, notifier, log: silentLogger(), now, baseBackoffMs: 1000, pollMs: 60_000 });
    await alerts.configure({ guildId: 'g1', channelId: 'c1', roleId: 'role1', by: 'u1' });
  });
  afterEach(async () => {
    await dispatcher.stop();
    db.close();
  });

  const pass = () => dispatcher.deliverDue();

  it('pings once per run name per finding, only for fail items among the events, never for muted runs', async () => {
    expect(await alerts.afterVerdict(verdict('r_a', 'exp1', [item('overfitting', 'fail'), item('plateau', 'fail')]))).toHaveLength(1);
    // A longer upload of the same run: same name, new id, overfitting again → nothing new.
    expect(await alerts.afterVerdict(verdict('r_b', 'exp1', [item('overfitting', 'fail')]))).toHaveLength(0);
    // A warn is not a ping; a new fail is.
    expect(await alerts.afterVerdict(verdict('r_c', 'exp1', [item('divergence', 'warn')]))).toHaveLength(0);
    const entries = await alerts.afterVerdict(verdict('r_d', 'exp1', [item('divergence', 'fail'), item('overfitting', 'fail')]));
    expect(entries.map((e) => e.payload.findings.map((f) => f.id))).toEqual([['divergence']]);
    await alerts.mute({ name: 'exp2' }, 'u1');
    expect(await alerts.afterVerdict(verdict('r_e', 'exp2', [item('nan_loss', 'fail')]))).toHaveLength(0);
    // The verdict is saved in the same transaction.
    expect((await store.latestVerdict('r_d'))?.items.map((i) => i.id)).toEqual(['divergence', 'overfitting']);
  });

  it('posts to the channel, opens a thread, and sends later alerts of the run into that thread', async () => {
    await alerts.afterVerdict(verdict('r_a', 'exp1', [item('overfitting', 'fail')]));
    await alerts.afterVerdict(verdict('r_b', 'exp1', [item('overfitting', 'fail'), item('nan_loss', 'fail')]));
    await pass();
    expect(notifier.posts.map((p) => p.channelId)).toEqual(['c1', 't-m1']);
    expect(notifier.threads).toEqual([{ channelId: 'c1', messageId: 'm1', name: '🩺 exp1' }]);
    expect((await store.outbox()).every((e) => e.deliveredAt !== null)).toBe(true);
    expect((await alerts.threadById('t-m1'))?.runKey).toBe('exp1');
  });

  it('retries with backoff, keeps the idempotency key, and does not repost when only the thread step failed', async () => {
    await alerts.afterVerdict(verdict('r_a', 'exp1', [item('overfitting', 'fail')]));
    notifier.failPosts = 1;
    await pass();
    let [e] = await store.outbox();
    expect(e.deliveredAt).toBeNull();
    expect(e.attempts).toBe(1);
    expect(e.nextAttemptAt).toBe(clock + backoffMs(0, 1000, 300_000));
    await pass(); // not due yet
    expect(notifier.posts).toHaveLength(1);

    clock += 1000;
    notifier.failThreads = 1;
    await pass();
    [e] = await store.outbox();
    expect(e.messageId).toBe('m1');
    expect(e.deliveredAt).toBeNull();
    expect(e.nextAttemptAt).toBe(clock + 2000);

    clock += 2000;
    await pass();
    [e] = await store.outbox();
    expect(e.deliveredAt).not.toBeNull();
    expect(notifier.posts).toHaveLength(2); // the failed one and the accepted one, never a third
    expect(new Set(notifier.posts.map((p) => p.idempotencyKey)).size).toBe(1);
    expect(notifier.threads).toHaveLength(2);
  });
});

describe('decideAlerts updates', () => {
  const settings = [{ guildId: 'g1', channelId: 'c1', roleId: 'role1', events: ['overfitting'], updatedAt: 0, updatedBy: null }];
  const input = (v: Verdict, o: Partial<DecisionInput>): DecisionInput => ({
    verdict: v,
    runKey: v.run.name,
    settings,
    muted: false,
    alreadyAlerted: new Map([['g1', new Set(['overfitting'])]]),
    previousStatus: 'fail',
    threadGuilds: new Set(['g1']),
    rearmed: new Set(),
    ...o,
  });
  const recovered = verdict('r_b', 'exp1', [item('overfitting', 'pass')]);

  it('posts a quiet update in the thread when the status changes without a new ping', () => {
    const [d] = decideAlerts(input(recovered, {}));
    expect(d.payload).toMatchObject({ kind: 'update', previousStatus: 'fail', verdictStatus: 'pass', roleId: null, findings: [] });
  });

  it('an update to warnings lists the warnings after the failures, marked as warnings', () => {
    const v = verdict('r_c', 'exp1', [item('not_converged', 'warn'), item('overfitting', 'pass'), item('plateau', 'fail')]);
    const [d] = decideAlerts(input({ ...v, status: 'fail' }, { previousStatus: 'warn', settings: [{ ...settings[0]!, events: ['nan_loss'] }] }));
    expect(d!.payload.findings.map((f) => [f.id, f.status])).toEqual([['plateau', undefined], ['not_converged', 'warn']]);
  });

  it('says nothing when the status is unchanged, the run has no thread, there is no earlier verdict, or it is muted', () => {
    expect(decideAlerts(input(recovered, { previousStatus: 'pass' }))).toEqual([]);
    expect(decideAlerts(input(recovered, { threadGuilds: new Set() }))).toEqual([]);
    expect(decideAlerts(input(recovered, { previousStatus: null }))).toEqual([]);
    expect(decideAlerts(input(recovered, { muted: true }))).toEqual([]);
  });
});

describe('decideAlerts: one ping per incident', () => {
  const settings = [{ guildId: 'g1', channelId: 'c1', roleId: 'role1', events: ['divergence', 'nan_loss'], updatedAt: 0, updatedBy: null }];
  const input = (v: Verdict, o: Partial<DecisionInput>): DecisionInput => ({
    verdict: v,
    runKey: v.run.name,
    settings,
    muted: false,
    alreadyAlerted: new Map(),
    previousStatus: null,
    threadGuilds: new Set(),
    rearmed: new Set(),
    ...o,
  });
  const diverged = verdict('r_a', 'exp1', [item('divergence', 'fail')]);
  const nan = verdict('r_a', 'exp1', [item('nan_loss', 'fail'), { ...item('divergence', 'pass'), explainedBy: 'nan_loss' }]);

  it("pings on a run's first alert, with the names of what the finding explains", () => {
    const [d] = decideAlerts(input(diverged, {}));
    expect(d.payload).toMatchObject({ ping: true, roleId: 'role1', findings: [{ id: 'divergence' }] });
    const [later] = decideAlerts(input(nan, { alreadyAlerted: new Map([['g1', new Set(['divergence'])]]), threadGuilds: new Set(['g1']), previousStatus: 'fail' }));
    expect(later.payload).toMatchObject({ ping: false, findings: [{ id: 'nan_loss', alsoExplains: ['divergence'] }] });
  });

  it('pings once more after a re-arm', () => {
    const [d] = decideAlerts(input(nan, { alreadyAlerted: new Map([['g1', new Set(['divergence'])]]), rearmed: new Set(['g1']) }));
    expect(d.payload.ping).toBe(true);
  });
});
