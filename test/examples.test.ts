import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateExamples } from '../examples/generate.ts';
import { REPO_ROOT } from './support/real-logs.ts';

describe('examples/', () => {
  it('holds exactly what examples/generate.ts writes (regenerate after changing it)', () => {
    for (const [name, text] of Object.entries(generateExamples())) {
      expect(readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8'), name).toBe(text);
    }
  });
});
