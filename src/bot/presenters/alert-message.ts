/**
 * An alert (new failing findings of one run) as a channel message: the role mention on the run's first alert only,
 * one line per finding led by its plain name, the chart, and buttons: Details (the evidence, privately) and either
 * Mute (on the ping) or "Ping again" (on a quiet alert in the run's thread: re-arms the ping for the next finding).
 */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { AlertFinding, AlertPayload } from '../../alerts/alert-store.ts';
import { itemName } from '../../diagnose/item-names.ts';
import { buttonId } from '../command.ts';
import { fitText } from './fit-text.ts';
import { EMBED_LIMITS } from './verdict-embed.ts';

export const ALERT_CHART_FILE = 'chart.png';

/** Whether an alert mentions its role (entries queued before `ping` existed pinged whenever a role was set). */
export function alertPings(p: AlertPayload): boolean {
  return p.kind !== 'update' && p.roleId !== null && p.ping !== false;
}

export function alertMessage(p: AlertPayload, opts: { withChart: boolean; nonce?: string }): RESTPostAPIChannelMessageJSONBody {
  if (p.kind === 'update') return updateMessage(p, opts);
  const ping = alertPings(p);
  const names = p.findings.map((f) => itemName(f.id)).join(', ');
  const lead = `🚨 **${fitText(p.runName, 200)}**: ${names}`;
  const content = ping ? `<@&${p.roleId}> ${lead}` : lead;
  const lines = p.findings.map((f) => fitText(findingLine(f), 900));
  const embed: APIEmbed = {
    title: fitText(`${p.runName}`, EMBED_LIMITS.title),
    description: fitText(lines.join('\n\n'), 3500),
    color: 0xd64545,
    footer: { text: `run ${p.runId} · /diagnose run-id:${p.runId} for the full checklist` },
  };
  if (opts.withChart) embed.image = { url: `attachment://${ALERT_CHART_FILE}` };
  const buttons: APIButtonComponent[] = [button(buttonId('diagnose', 'details', p.runId), 'Details', '🔎')];
  if (ping) buttons.push(button(buttonId('diagnose', 'mute', p.runId), 'Mute alerts for this run', '🔕'));
  else if (p.roleId) buttons.push(button(buttonId('alerts', 'rearm', p.runId), 'Ping on the next finding', '🔔'));
  const row: APIActionRowComponent<APIButtonComponent> = { type: ComponentType.ActionRow, components: buttons };
  return {
    content,
    embeds: [embed],
    components: [row],
    // Only the configured role may be pinged, whatever a run name contains; a quiet alert mentions no one.
    allowed_mentions: { parse: [], roles: ping && p.roleId ? [p.roleId] : [] },
    ...(opts.withChart ? { attachments: [{ id: 0, filename: ALERT_CHART_FILE }] } : {}),
    ...(opts.nonce ? { nonce: opts.nonce, enforce_nonce: true } : {}),
  };
}

/** "❌ **Overfitting**: val_loss bottomed at … \n↳ also explains what looks like: No early stopping" */
function findingLine(f: Pick<AlertFinding, 'id' | 'title' | 'alsoExplains' | 'status'>): string {
  const explains = f.alsoExplains?.length ? `\n↳ also explains what looks like: ${f.alsoExplains.map(itemName).join(', ')}` : '';
  return `${f.status === 'warn' ? '⚠️' : '❌'} **${itemName(f.id)}**: ${f.title}${explains}`;
}

function button(customId: string, label: string, emoji: string): APIButtonComponent {
  return { type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id: customId, label, emoji: { name: emoji } };
}

const STATUS_WORD: Record<string, string> = { fail: '❌ failing', warn: '⚠️ warnings', pass: '✅ passing' };

/** A change of a run's overall status, in its thread: no mention, the failures and warnings still open. */
function updateMessage(p: AlertPayload, opts: { withChart: boolean; nonce?: string }): RESTPostAPIChannelMessageJSONBody {
  const from = STATUS_WORD[p.previousStatus ?? ''] ?? p.previousStatus ?? '?';
  const to = STATUS_WORD[p.verdictStatus] ?? p.verdictStatus;
  const lines = p.findings.map((f) => fitText(findingLine({ id: f.id, title: f.title, status: f.status }), 300));
  const embed: APIEmbed = {
    title: fitText(p.runName, EMBED_LIMITS.title),
    description: fitText(lines.length ? lines.join('\n') : 'Nothing failing or warning now.', 3500),
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
