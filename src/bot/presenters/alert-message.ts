/** An alert (new failing findings of one run) as a channel message: role mention, one line per finding, the chart. */
import type { APIEmbed, RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { AlertPayload } from '../../alerts/alert-store.ts';
import { fitText } from './fit-text.ts';
import { formatEvidence } from './format-evidence.ts';
import { EMBED_LIMITS } from './verdict-embed.ts';

export const ALERT_CHART_FILE = 'chart.png';

export function alertMessage(p: AlertPayload, opts: { withChart: boolean; nonce?: string }): RESTPostAPIChannelMessageJSONBody {
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
