/**
 * Issue 17, point 4, at the API over a socket: a run name or a metric name holding a control or bidirectional
 * character is refused with a 400 that names the character and its position (they were stored and later printed raw).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.ts';

describe('names with control characters at the push API', () => {
  let h: ApiHarness;
  let token: string;
  beforeAll(async () => {
    h = await ApiHarness.start();
    token = await h.token('111111');
  });
  afterAll(() => h.stop());

  it('refuses a run name with ESC, naming the character and where it is', async () => {
    const r = await h.call('POST', '/api/v1/runs', token, { name: 'evil\u001b[31m\u001b]0;pwned\u0007' });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_body');
    expect(r.body.detail).toBe('name: contains the control character U+001B (ESC) at position 5; names may not hold control or bidirectional-override characters');
  });

  it('refuses NUL, BEL and a right-to-left override too, and a metric name holding one', async () => {
    for (const [name, what] of [['a\u0000b', 'U+0000 (NUL) at position 2'], ['\u0007x', 'U+0007 (BEL) at position 1'], ['run-\u202egpj.exe', 'U+202E (RIGHT-TO-LEFT OVERRIDE) at position 5']] as const) {
      const r = await h.call('POST', '/api/v1/runs', token, { name });
      expect(r.status).toBe(400);
      expect(r.body.detail).toContain(what);
    }
    const run = await h.call('POST', '/api/v1/runs', token, { name: 'fine name' });
    expect(run.status).toBe(201);
    const r = await h.call('POST', `/api/v1/runs/${run.body.id}/metrics`, token, { points: [{ step: 1, metrics: { 'val\u001bloss': 0.5 } }] });
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('points[0].metrics.val\\u001bloss: contains the control character U+001B (ESC) at position 4; names may not hold control or bidirectional-override characters');
  });
});
