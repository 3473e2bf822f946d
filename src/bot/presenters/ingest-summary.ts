/** The line above an /ingest answer: which runs were stored (or were already there) and how the file was read. */
import type { ReviewedRun } from '../../app/ingest-and-review.ts';
import { fitText } from './fit-text.ts';
import { verdictEmoji } from './verdict-embed.ts';
import { plural } from '../../plural.ts';

export function ingestSummary(reviewed: ReviewedRun[]): string {
  const lines = reviewed.slice(0, 10).map(({ ingested, report }) => {
    const what = ingested.created ? 'stored as' : 'already stored as';
    return `${verdictEmoji(report.verdict)} **${ingested.run.name}** ${what} \`${ingested.run.id}\` (${plural(ingested.run.points, 'point')})`;
  });
  if (reviewed.length > 10) lines.push(`… and ${reviewed.length - 10} more runs: see /runs`);
  const notes = reviewed.flatMap((r) => r.ingested.notes).slice(0, 3);
  if (notes.length) lines.push(...notes.map((n) => `-# ${n}`));
  if (reviewed.length > 1) lines.push('The checklist below is for the first run; /diagnose the others by id.');
  return fitText(lines.join('\n'), 1900);
}
