/**
 * AlertStore.recordVerdict on both backends: what the decision is given (previous status, findings already alerted,
 * threads, re-arms, mutes, every guild's settings) and what its payloads leave behind (alerted findings, a re-arm
 * used up, outbox entries in order). PostgreSQL reads all of it in one statement that also saves the verdict, so the
 * previous status must still be the one from before that save.
 */
import { describe, expect, it } from 'vitest';
import { decideAlerts } from '../../src/alerts/decide-alerts.ts';
import type { DecisionInput } from '../../src/alerts/alert-store.ts';
import type { Verdict, VerdictItem } from '../../src/domain/verdict.ts';
import { runLog, series, source } from '../support/run-log-fixtures.ts';
import { storeBackends, useStoreBackends } from '../support/store-backends.ts';

useStoreBackends();

const item = (id: string, status: VerdictItem['status']): VerdictItem => ({ id, area: 'training', status, title: id, evidence: {}, fix: 'fix it', marks: [] });

describe.each(storeBackends())('AlertStore.recordVerdict on $name', (backend) => {
  it('hands the decision what is stored and records what it decided, as one step', async () => {
    const stores = await backend.stores();
    const [saved] = await stores.runs.saveRuns([{ log: runLog('exp', [series('loss', [1, 2])]), source: source('exp') }]);
    const runId = saved!.run.id;
    const verdict = (status: Verdict['status'], ...items: VerdictItem[]): Verdict => ({ run: { id: runId, name: 'exp', format: 'keras_csv', points: 2, epochs: 2 }, status, items });
    await stores.alerts.saveSettings({ guildId: 'g2', channelId: 'c2', roleId: null, events: ['divergence'], updatedAt: 1, updatedBy: null });
    await stores.alerts.saveSettings({ guildId: 'g1', channelId: 'c1', roleId: 'r1', events: ['divergence', 'nan_loss'], updatedAt: 2, updatedBy: 'u' });
    const inputs: DecisionInput[] = [];
    const record = async (v: Verdict, now: number) =>
      (await stores.alerts.recordVerdict(v, 'exp', (input) => (inputs.push(input), decideAlerts(input)), now)).map((e) => ({
        id: e.id,
        guild: e.payload.guildId,
        kind: e.payload.kind ?? 'alert',
        ping: e.payload.ping,
        findings: e.payload.findings.map((f) => f.id),
      }));

    const first = await record(verdict('fail', item('divergence', 'fail'), item('nan_loss', 'pass')), 10);
    expect(first.map(({ id: _, ...e }) => e)).toEqual([
      { guild: 'g1', kind: 'alert', ping: true, findings: ['divergence'] },
      { guild: 'g2', kind: 'alert', ping: false, findings: ['divergence'] },
    ]);
    expect(first[0]!.id).toBeLessThan(first[1]!.id);
    expect(inputs[0]).toMatchObject({ runKey: 'exp', muted: false, previousStatus: null });
    expect(inputs[0]!.settings.map((s) => [s.guildId, s.roleId, s.events, s.updatedAt, s.updatedBy])).toEqual([
      ['g1', 'r1', ['divergence', 'nan_loss'], 2, 'u'],
      ['g2', null, ['divergence'], 1, null],
    ]);
    expect([...inputs[0]!.alreadyAlerted]).toEqual([]);

    // The same finding again: nobody hears of it twice; the previous status is the one saved before.
    expect(await record(verdict('fail', item('divergence', 'fail')), 11)).toEqual([]);
    expect(inputs[1]!.previousStatus).toBe('fail');
    expect(Object.fromEntries([...inputs[1]!.alreadyAlerted].map(([g, f]) => [g, [...f]]))).toEqual({ g1: ['divergence'], g2: ['divergence'] });

    // Recovered, with a thread in g1: a quiet update there only.
    await stores.alerts.saveThread({ guildId: 'g1', runKey: 'exp', runId, channelId: 'c1', threadId: 't1' });
    const recovered = await record(verdict('pass', item('divergence', 'pass')), 12);
    expect(recovered.map(({ id: _, ...e }) => e)).toEqual([{ guild: 'g1', kind: 'update', ping: undefined, findings: [] }]);
    expect([...inputs[2]!.threadGuilds]).toEqual(['g1']);

    // Re-armed in g1: its next new finding mentions the role again, once.
    await stores.alerts.rearm('g1', 'exp', 'u', 13);
    const rearmed = await record(verdict('fail', item('nan_loss', 'fail')), 14);
    expect(rearmed.map(({ id: _, ...e }) => e)).toEqual([{ guild: 'g1', kind: 'alert', ping: true, findings: ['nan_loss'] }]);
    expect([...inputs[3]!.rearmed]).toEqual(['g1']);
    expect(inputs[3]!.previousStatus).toBe('pass');
    await record(verdict('fail', item('nan_loss', 'fail')), 15);
    expect([...inputs[4]!.rearmed]).toEqual([]);

    // Muted: the decision is told so.
    await stores.alerts.mute('exp', 'u', 16);
    expect(await record(verdict('fail', item('divergence', 'fail')), 17)).toEqual([]);
    expect(inputs[5]!.muted).toBe(true);

    expect((await stores.alerts.outbox()).map((e) => [e.payload.guildId, e.payload.kind ?? 'alert', e.createdAt])).toEqual([
      ['g1', 'alert', 10], ['g2', 'alert', 10], ['g1', 'update', 12], ['g1', 'alert', 14],
    ]);
    expect((await stores.alerts.latestVerdict(runId))!.status).toBe('fail');
  });
});
