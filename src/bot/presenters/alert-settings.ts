import type { AlertSettings } from '../../alerts/alert-store.ts';

export function alertSettingsText(s: AlertSettings): string {
  return [
    `**Channel:** <#${s.channelId}>`,
    `**Ping:** ${s.roleId ? `<@&${s.roleId}>` : 'nobody'}`,
    `**When a run newly fails:** ${s.events.map((e) => `\`${e}\``).join(', ')}`,
    `-# one ping per run per finding; "Mute alerts for this run" on a /diagnose answer silences a run`,
  ].join('\n');
}
