/** Autocomplete choices over stored runs: names and ids matching what was typed, newest first. */
import type { ApplicationCommandOptionChoiceData } from 'discord.js';
import type { RunSummary } from '../domain/run.ts';
import type { RunStore } from '../store/run-store.ts';

const STATUS_EMOJI: Record<RunSummary['status'], string> = { finished: '🏁', running: '🏃', crashed: '💥', killed: '🛑', stalled: '⏸️' };

export async function runChoices(store: RunStore, typed: string, limit = 25): Promise<ApplicationCommandOptionChoiceData<string>[]> {
  const q = typed.trim().toLowerCase();
  const runs = await store.listRuns({ limit: 500 });
  const matches = runs
    .filter((r) => !q || r.id.toLowerCase().includes(q) || r.name.toLowerCase().includes(q))
    .sort((a, b) => b.createdAt - a.createdAt);
  return matches.slice(0, limit).map((r) => ({ name: choiceName(r), value: r.id }));
}

function choiceName(r: RunSummary): string {
  const when = new Date(r.createdAt).toISOString().slice(0, 16).replace('T', ' ');
  const tail = ` · ${r.id} · ${when}`;
  const name = r.name.length + tail.length + 3 > 100 ? r.name.slice(0, 100 - tail.length - 4) + '…' : r.name;
  return `${STATUS_EMOJI[r.status]} ${name}${tail}`;
}
