/** Reads commands/: one module per slash command (or message command), its default export a BotCommand. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BotCommand } from './command.ts';

export const COMMANDS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'commands');

export async function loadCommands(dir: string = COMMANDS_DIR): Promise<Map<string, BotCommand>> {
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const commands = new Map<string, BotCommand>();
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default?: unknown };
    const cmd = mod.default;
    if (!isBotCommand(cmd)) {
      throw new Error(`${path.join(dir, file)}: default export must be a command ({ data: SlashCommandBuilder, execute } or { data: ContextMenuCommandBuilder, onMessage })`);
    }
    if (commands.has(cmd.data.name)) throw new Error(`${path.join(dir, file)}: a second command named "${cmd.data.name}"`);
    commands.set(cmd.data.name, cmd);
  }
  return commands;
}

function isBotCommand(x: unknown): x is BotCommand {
  const c = x as BotCommand | undefined;
  return !!c && (typeof c.execute === 'function' || typeof c.onMessage === 'function') && !!c.data && typeof c.data.name === 'string' && typeof c.data.toJSON === 'function';
}
