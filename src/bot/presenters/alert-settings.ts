import type { AlertSettings } from '../../alerts/alert-store.ts';
import { itemName } from '../../diagnose/item-names.ts';

export function alertSettingsText(s: AlertSettings): string {
  return [
    `**Channel:** <#${s.channelId}>`,
    `**Ping:** ${s.roleId ? `<@&${s.roleId}>` : 'nobody'}`,
    `**When a run newly fails:** ${s.events.map((e) => `${itemName(e)} (\`${e}\`)`).join(', ')}`,
    `-# one ping per run: later findings of the same run go to its thread without a mention, until someone presses "Ping on the next finding" there; "Mute alerts for this run" silences a run`,
  ].join('\n');
}
