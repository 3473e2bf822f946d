/** The Discord faces print a run's epochs as the CLI does: a count from 0 or 1, else the range ("epochs 24–55"). */
import { describe, expect, it } from 'vitest';
import { verdictEmbed } from '../../../src/bot/presenters/verdict-embed.ts';
import { runsListEmbed } from '../../../src/bot/presenters/runs-list.ts';
import { compareLabels } from '../../../src/app/compare-runs.ts';
import type { RunSummary } from '../../../src/domain/run.ts';
import type { Verdict } from '../../../src/domain/verdict.ts';

function summary(epochs: number | null, firstEpoch: number | null, id = 'r_abcdefghij'): RunSummary {
  return { id, name: 'resumed', source: { format: 'lightning_csv', fileName: 'metrics.csv', contentHash: id }, createdAt: 0, updatedAt: 0, status: 'finished', points: 96, epochs, firstEpoch };
}
const verdict = (epochs: number | null, firstEpoch: number | null): Verdict => ({
  run: { id: 'r_abcdefghij', name: 'resumed', format: 'lightning_csv', points: 96, epochs, firstEpoch },
  status: 'pass',
  items: [],
});

describe('epochs in the Discord replies', () => {
  it('/diagnose: the embed says the range of a log numbered from 24 and a count of one numbered from 0', () => {
    expect(verdictEmbed(verdict(32, 24)).description).toContain('lightning_csv · 96 points · epochs 24–55');
    expect(verdictEmbed(verdict(30, 0)).description).toContain('lightning_csv · 96 points · 30 epochs');
  });

  it('/runs: "ep 24–55" for the resumed run, "30 ep" for one from 0, points for one without epochs', () => {
    const text = runsListEmbed([{ run: summary(32, 24), verdict: null }, { run: summary(30, 0), verdict: null }, { run: summary(null, null), verdict: null }], {}).description!;
    const lines = text.split('\n');
    expect(lines[0]).toContain('· lightning_csv · ep 24–55 ·');
    expect(lines[1]).toContain('· lightning_csv · 30 ep ·');
    expect(lines[2]).toContain('· lightning_csv · 96 pts ·');
  });

  it('/compare of two uploads of one run tells them apart by their epochs as printed elsewhere', () => {
    expect(compareLabels(summary(32, 24, 'r_a'), summary(56, 0, 'r_b'))).toEqual({ a: 'epochs 24–55', b: '56 epochs', sameName: true });
  });
});
