/** An alert (new failing findings of one run) as a channel message: role mention, one line per finding, the chart. */
import type { APIEmbed, RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { AlertPayload } from '../../alerts/alert-store.ts';
import { fitText } from './fit-text.ts';
import { formatEvidence } from './format-evidence.ts';
import { EMBED_LIMITS } from './verdict-embed.ts';

export const ALERT_CHART_FILE = 'chart.png';

export function alertMessage(p: AlertPayload, opts: { withChart: boolean; nonce?: string }): RESTPostAPIChannelMessageJSONBody {
  if (p.kind === 'update') return updateMessage(p, opts);
  const ids = p.findings.map((f) => f.id).join(', ');
  const lead = `🚨 **${fitText(p.runName, 200)}**: ${ids}`;
  const content = p.roleId ? `<@&${p.roleId}> ${lead}` : lead;
  const lines = p.findings.map((f) => {
    const evidence = formatEvidence(f.evidence);
    return fitText(`❌ **${f.title}**${evidence ? `\n${evidence}` : ''}`, 900);
  });
  const embed: APIEmbed = {
    title: fitText(`${p.runName}`, EMBED_LIMITS.title),
    description: fitText(lines.join('\n\n'), 3500),
    color: 0xd64545,
    footer: { text: `run ${p.runId} · /diagnose run-id:${p.runId} for the full checklist` },
  };
  if (opts.withChart) embed.image = { url: `attachment://${ALERT_CHART_FILE}` };
  return {
    content,
    embeds: [embed],
    // Only the configured role may be pinged, whatever a run name contains.
    allowed_mentions: { parse: [], roles: p.roleId ? [p.roleId] : [] },
    ...(opts.withChart ? { attachments: [{ id: 0, filename: ALERT_CHART_FILE }] } : {}),
    ...(opts.nonce ? { nonce: opts.nonce, enforce_nonce: true } : {}),
  };
}

const STATUS_WORD: Record<string, string> = { fail: '❌ failing', warn: '⚠️ warnings', pass: '✅ passing' };

/** A change of a run's overall status, in its thread: no mention, the failures still open. */
function updateMessage(p: AlertPayload, opts: { withChart: boolean; nonce?: string }): RESTPostAPIChannelMessageJSONBody {
  const from = STATUS_WORD[p.previousStatus ?? ''] ?? p.previousStatus ?? '?';
  const to = STATUS_WORD[p.verdictStatus] ?? p.verdictStatus;
  const lines = p.findings.map((f) => fitText(`❌ **${f.title}**`, 300));
  const embed: APIEmbed = {
    title: fitText(p.runName, EMBED_LIMITS.title),
    description: fitText(lines.length ? lines.join('\n') : 'No failing findings.', 3500),
    color: p.verdictStatus === 'fail' ? 0xd64545 : p.verdictStatus === 'warn' ? 0xe8a33d : 0x3fa66b,
    footer: { text: `run ${p.runId} · /diagnose for the full checklist` },
  };
  if (opts.withChart) embed.image = { url: `attachment://${ALERT_CHART_FILE}` };
  return {
    content: `🔄 **${fitText(p.runName, 200)}**: ${from} → ${to}`,
    embeds: [embed],
    allowed_mentions: { parse: [] },
    ...(opts.withChart ? { attachments: [{ id: 0, filename: ALERT_CHART_FILE }] } : {}),
    ...(opts.nonce ? { nonce: opts.nonce, enforce_nonce: true } : {}),
  };
}
