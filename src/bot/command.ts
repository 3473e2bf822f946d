/**
 * The shape of one slash command module in commands/: its definition (a SlashCommandBuilder) and thin handlers
 * that parse options, call use cases in src/app/ and hand the result to a presenter.
 */
import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { RunStore } from '../store/run-store.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { RunReporter } from '../app/run-report.ts';
import type { TrainingJobs } from '../app/training-jobs.ts';
import type { Digests } from '../app/digests.ts';
import type { PushStore } from '../app/push-store.ts';
import type { ThreadReadingStore } from '../app/thread-reading.ts';

export interface BotContext {
  config: Config;
  log: Logger;
  store: RunStore;
  alerts: AlertService;
  reporter: RunReporter;
  now: () => number;
  /** Training jobs (/train, /jobs); absent when the bot runs without them. */
  jobs?: TrainingJobs;
  /** Run-health digests (/digest); absent when the bot runs without them. */
  digests?: Digests;
  /** API tokens of the push API (/token); absent when the bot runs without the API. */
  apiTokens?: PushStore;
  /** Which servers let runmedic read logs posted in run threads (/alerts set read-threads); absent: none. */
  threadReading?: ThreadReadingStore;
  /** Whether this connection receives message content (the Message Content intent was asked for and granted). */
  readsMessages?: () => boolean;
}

export type ButtonHandler = (interaction: ButtonInteraction, ctx: BotContext, args: string[]) => Promise<void>;

export interface BotCommand {
  data: { name: string; toJSON(): RESTPostAPIApplicationCommandsJSONBody };
  /** A slash command's handler. */
  execute?(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  /** A message command's handler (Apps → NAME on a message; `data` is a ContextMenuCommandBuilder of type Message). */
  onMessage?(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
  /**
   * Buttons this command puts on its messages, by action. A button's custom id is `<command>:<action>:<arg>…`
   * (see buttonId), so a click reaches the command that drew it.
   */
  buttons?: Record<string, ButtonHandler>;
}

/** Discord caps custom ids at 100 characters; run ids are short (r_ + 10). */
export function buttonId(command: string, action: string, ...args: string[]): string {
  const id = [command, action, ...args].join(':');
  if (id.length > 100) throw new Error(`button custom id longer than 100 characters: ${id}`);
  return id;
}

export function parseButtonId(customId: string): { command: string; action: string; args: string[] } | null {
  const [command, action, ...args] = customId.split(':');
  return command && action ? { command, action, args } : null;
}

/** A problem the user can fix, shown to them as is (ephemeral). Anything else is logged and shown as a generic failure. */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}
