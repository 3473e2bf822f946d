/** A run's display name from its file name: the last path segment without its extension ('a/b/history.json' → 'history'). */
export function runNameFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).filter(Boolean).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const name = dot > 0 ? base.slice(0, dot) : base;
  return name || 'run';
}
