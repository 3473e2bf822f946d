/** One line of training progress for a terminal or a chat message: bar, epoch x/N, ETA, loss/accuracy, backend. Pure. */
export interface Progress {
  epochs: number;
  /** 1-based epoch and batch within it. */
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy?: number;
  valLoss?: number | null;
  valAccuracy?: number | null;
  elapsedMs: number;
  backend: string;
}

const WIDTH = 20;

export function progressFraction(p: Pick<Progress, 'epochs' | 'epoch' | 'batch' | 'batches'>): number {
  return Math.min(1, Math.max(0, (p.epoch - 1 + p.batch / Math.max(1, p.batches)) / Math.max(1, p.epochs)));
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function progressBar(fraction: number, width = WIDTH): string {
  const full = Math.round(fraction * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

export function progressLine(p: Progress): string {
  const f = progressFraction(p);
  const eta = f > 0 && f < 1 ? ` ETA ${formatDuration((p.elapsedMs * (1 - f)) / f)}` : '';
  const fmt = (x: number) => (Math.abs(x) >= 100 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : x.toFixed(4));
  const parts = [`${progressBar(f)} ${Math.round(f * 100)}%`, `epoch ${p.epoch}/${p.epochs}`, `loss ${fmt(p.loss)}`];
  if (p.accuracy !== undefined) parts.push(`acc ${p.accuracy.toFixed(3)}`);
  if (p.valLoss !== undefined && p.valLoss !== null) parts.push(`val_loss ${fmt(p.valLoss)}`);
  if (p.valAccuracy !== undefined && p.valAccuracy !== null) parts.push(`val_acc ${p.valAccuracy.toFixed(3)}`);
  parts.push(`${formatDuration(p.elapsedMs)}${eta}`);
  if (p.backend) parts.push(p.backend);
  return parts.join('  ');
}

/** The line of a finished epoch (its last batch done), from the epoch's report. */
export function epochProgressLine(
  r: Pick<Progress, 'epochs' | 'epoch' | 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy'>,
  elapsedMs: number,
  backend: string,
): string {
  return progressLine({ epochs: r.epochs, epoch: r.epoch, batch: 1, batches: 1, loss: r.loss, accuracy: r.accuracy, valLoss: r.valLoss, valAccuracy: r.valAccuracy, elapsedMs, backend });
}
