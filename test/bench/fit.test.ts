import { describe, expect, it } from 'vitest';
import { fittedParams, writeBack } from '../../bench/corpus/fit.ts';

describe('corpus fit', () => {
  it('finds the FIT objects of the rule files, numeric thresholds only', async () => {
    const params = await fittedParams();
    const files = new Set(params.map((p) => p.file));
    for (const f of ['unshuffled-data.ts', 'oscillation.ts', 'plateau-analysis.ts', 'overfitting.ts', 'divergence.ts', 'label-noise.ts']) expect(files.has(f), f).toBe(true);
    expect(params.some((p) => p.key === 'falseAlarms')).toBe(false);
    expect(params.every((p) => Number.isFinite(p.fit[p.key]))).toBe(true);
  });

  it('writes new values into the FIT literal and nowhere else', () => {
    const src = "const minAuto = 1;\n/** doc: minAutocorrelation 0.3 */\nexport const FIT = { minAutocorrelation: 0.3, minProfileStrength: 0.3, falseAlarms: NaN };\nconst x = { minAutocorrelation: 9 };\n";
    const out = writeBack(src, { minAutocorrelation: 0.42, falseAlarms: 0.012 });
    expect(out).toContain('export const FIT = { minAutocorrelation: 0.42, minProfileStrength: 0.3, falseAlarms: 0.012 };');
    expect(out).toContain('const x = { minAutocorrelation: 9 };');
    expect(out).toContain('/** doc: minAutocorrelation 0.3 */');
  });
});
