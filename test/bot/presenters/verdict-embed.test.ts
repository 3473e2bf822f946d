/** The verdict embed stays within Discord's limits and shortens by whole sentences. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitText, splitSentences } from '../../../src/bot/presenters/fit-text.ts';
import { EMBED_LIMITS, verdictEmbed } from '../../../src/bot/presenters/verdict-embed.ts';
import { evidenceLines } from '../../../src/bot/presenters/format-evidence.ts';
import type { ItemStatus, Verdict, VerdictItem } from '../../../src/domain/verdict.ts';

const sentence = fc
  .tuple(fc.constantFrom('Validation', 'Loss', 'The', 'Learning'), fc.array(fc.constantFrom('loss', 'rises', 'at', 'epoch', '12', '0.509', 'after', 'warmup'), { minLength: 1, maxLength: 12 }))
  .map(([w, ws]) => `${w} ${ws.join(' ')}.`);

describe('fitText', () => {
  it('keeps text that fits unchanged', () => {
    expect(fitText('Short. Text.', 20)).toBe('Short. Text.');
  });

  it('drops whole sentences, never cuts one, and marks the cut', () => {
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 2, maxLength: 12 }), fc.integer({ min: 40, max: 300 }), (sentences, max) => {
        const text = sentences.join(' ');
        const out = fitText(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        if (text.length <= max) {
          expect(out).toBe(text);
          return;
        }
        expect(out.endsWith(' …')).toBe(true);
        const kept = out.slice(0, -2);
        // Either whole leading sentences, or (when even the first is too long) a word-boundary cut of it.
        if (kept.endsWith('.')) expect(text.startsWith(kept) && splitSentences(kept).every((s) => sentences.includes(s))).toBe(true);
        else expect(sentences[0].length).toBeGreaterThan(max - 2);
      }),
    );
  });

  it('does not treat decimals as sentence ends', () => {
    expect(splitSentences('Val loss 0.509 at epoch 12. Then it rises.')).toEqual(['Val loss 0.509 at epoch 12.', 'Then it rises.']);
  });
});

function item(k: number, status: ItemStatus, long = false): VerdictItem {
  const blah = long ? ' This sentence is here to make the text long enough to overflow what Discord allows in one place.'.repeat(12) : '';
  return {
    id: `rule_${k}`,
    area: 'training',
    status,
    title: `Finding number ${k} is ${status}.${blah}`,
    evidence: { epoch: k, valLoss: 0.5 + k / 1000, series: 'val_loss', list: [1, 2, 3, 4, 5, 6, 7], nested: { a: 1 } },
    fix: `Do the thing for finding ${k}.${blah}`,
    marks: [],
  };
}

function verdict(items: VerdictItem[]): Verdict {
  return { run: { id: 'r_abcdefghij', name: 'x'.repeat(300), format: 'keras_csv', points: 1234, epochs: 30 }, status: 'fail', items };
}

function size(e: ReturnType<typeof verdictEmbed>): number {
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
}

describe('verdictEmbed', () => {
  it('respects every embed limit on a huge verdict and says how many findings were left out', () => {
    const items = [
      ...Array.from({ length: 30 }, (_, k) => item(k, 'warn', true)),
      ...Array.from({ length: 30 }, (_, k) => item(100 + k, 'fail', true)),
      ...Array.from({ length: 40 }, (_, k) => item(200 + k, 'pass')),
      ...Array.from({ length: 10 }, (_, k) => item(300 + k, 'unknown')),
    ];
    const e = verdictEmbed(verdict(items), { chartFileName: 'chart.png' });
    expect(size(e)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    expect(e.title!.length).toBeLessThanOrEqual(EMBED_LIMITS.title);
    expect(e.fields!.length).toBeLessThanOrEqual(EMBED_LIMITS.fields);
    for (const f of e.fields!) {
      expect(f.name.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldValue);
    }
    // Failures first.
    expect(e.fields![0].name).toBe('❌ Rule 100');
    expect(e.fields![0].value).toMatch(/^Finding number 100 is fail\./);
    const more = e.fields!.find((f) => /^… \d+ more findings$/.test(f.name));
    expect(more).toBeDefined();
    const shownProblems = e.fields!.filter((f) => /^(❌|⚠️) Rule/.test(f.name)).length;
    expect(shownProblems + Number(/\d+/.exec(more!.name)![0])).toBe(60);
    expect(e.fields!.slice(-2).map((f) => f.name)).toEqual(['✅ Passed (40)', '❔ Not checked: needs more data (10)']);
    expect(e.image).toEqual({ url: 'attachment://chart.png' });
  });

  it('leads each problem with its name, shortens long findings and fixes at sentence boundaries, and shows no evidence', () => {
    const e = verdictEmbed(verdict([item(1, 'fail', true)]));
    expect(e.fields![0].name).toBe('❌ Rule 1');
    expect(e.fields![0].value).toMatch(/^Finding number 1 is fail\. This sentence/);
    expect(e.fields![0].value).toMatch(/\*\*Fix:\*\* Do the thing for finding 1\.( This sentence[^…]*place\.)* …$/);
    expect(e.fields![0].value).not.toContain('val loss');
  });

  it('folds a finding another explains under it and lists passes as one line of names', () => {
    const explaining = { ...item(1, 'fail'), id: 'nan_loss', title: 'train_loss became NaN at epoch 7' };
    const explained = { ...item(2, 'pass'), id: 'divergence', explainedBy: 'nan_loss' };
    const plain = { ...item(3, 'pass'), id: 'plateau' };
    const e = verdictEmbed(verdict([explained, plain, explaining]));
    expect(e.fields![0].name).toBe('❌ NaN loss');
    expect(e.fields![0].value).toContain('↳ also explains what looks like: Divergence');
    expect(e.fields!.at(-1)).toEqual({ name: '✅ Passed (1)', value: 'No sign of: Plateau' });
    expect(e.fields!.map((f) => f.name)).not.toContain('✅ Divergence');
  });
});

describe('evidenceLines (the Details view)', () => {
  it('writes one readable line per key, a nested table as its own lines, deeper detail as compact JSON', () => {
    expect(evidenceLines({ onsetEpoch: 12, valLossMin: 0.50912, tiny: 0.0000123, rising: true, list: [1, 2, 3], earlyStopping: { patience: 3, deep: { a: 1 } } })).toEqual([
      'onset epoch: 12',
      'val loss min: 0.5091',
      'tiny: 1.23e-5',
      'rising: yes',
      'list: 1, 2, 3',
      'early stopping · patience: 3',
      'early stopping · deep: {"a":1}',
    ]);
  });
});

describe('verdictEmbed of a pass that could check almost nothing', () => {
  it('is grey with ❔ and TOO LITTLE DATA, not a green ✅ PASS; a well-covered pass stays green', async () => {
    const { diagnose } = await import('../../../src/diagnose/index.ts');
    const { makeRun, makeSeries, decay } = await import('../../support/synthetic-runs.ts');
    const { TOO_LITTLE_DATA_COLOR } = await import('../../../src/bot/presenters/verdict-embed.ts');
    const sparse = diagnose({
      id: 'r', name: 'shell-run', format: 'push',
      series: [
        makeSeries('loss', 'loss', 'train', 'epoch', [0, 1], [0, 1], [2.3, 1.2]),
        makeSeries('val_loss', 'loss', 'val', 'epoch', [0, 1], [0, 1], [2.31, 1.35]),
      ],
    });
    expect(sparse.status).toBe('pass');
    const e = verdictEmbed(sparse);
    expect(e.title).toBe('❔ shell-run');
    expect(e.color).toBe(TOO_LITTLE_DATA_COLOR);
    expect(e.description).toMatch(/^\*\*TOO LITTLE DATA\*\*/);
    const healthy = diagnose(makeRun({ epochs: 30, train: decay(1, 0.2, 6), val: decay(1.05, 0.25, 6) }));
    expect(healthy.status).toBe('pass');
    expect(verdictEmbed(healthy).color).not.toBe(TOO_LITTLE_DATA_COLOR);
    expect(verdictEmbed(healthy).title!.startsWith('✅')).toBe(true);
  });
});
