/**
 * Which servers let runmedic read what people post in run threads (`/alerts set … read-threads:true`): a code block
 * or a log file posted there updates the thread's run. Off unless a server turns it on; nothing else is ever read.
 * An interface so the SQL stays in src/store/ (sqlite-thread-reading-store.ts).
 */
export interface ThreadReadingStore {
  isEnabled(guildId: string): Promise<boolean>;
  setEnabled(guildId: string, enabled: boolean, by: string | null, now: number): Promise<void>;
  /** Whether any server has it on: the bot then asks Discord for the Message Content intent. */
  anyEnabled(): Promise<boolean>;
}
