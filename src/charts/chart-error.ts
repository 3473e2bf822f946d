/**
 * A chart that cannot be drawn. Typed so every face can answer with the checklist and one sentence
 * (`chartProblemSentence`) instead of failing the whole answer.
 */
export class ChartError extends Error {
  constructor(readonly reason: string) {
    super(`chart not drawn: ${reason}`);
    this.name = 'ChartError';
  }
}

export function isChartError(e: unknown): e is ChartError {
  return e instanceof ChartError;
}

/** The one sentence a face shows in place of a chart that could not be drawn. */
export function chartProblemSentence(e: unknown): string {
  const reason = isChartError(e) ? e.reason : e instanceof Error ? e.message : String(e);
  return `No chart this time: it could not be drawn (${reason.length > 160 ? `${reason.slice(0, 157)}…` : reason}); the checklist does not depend on it.`;
}
