/** Keras-style CSV logs for bot tests, from closed-form curves (no randomness). */

export interface CurveOptions {
  epochs: number;
  /** Epoch after which validation loss turns upward (overfitting); omit for a healthy run. */
  overfitFrom?: number;
  /** How steeply validation loss rises per epoch after the turn. */
  riseRate?: number;
}

/** loss falls as 1/(1+0.3e); val_loss follows it, then rises after `overfitFrom`. */
export function kerasCsv(o: CurveOptions): string {
  const rows = ['epoch,accuracy,loss,val_accuracy,val_loss'];
  for (let e = 0; e < o.epochs; e++) {
    const loss = 2.0 / (1 + 0.3 * e) + 0.02;
    let val = 2.1 / (1 + 0.28 * e) + 0.05;
    if (o.overfitFrom !== undefined && e > o.overfitFrom) {
      const base = 2.1 / (1 + 0.28 * o.overfitFrom) + 0.05;
      val = base + (o.riseRate ?? 0.04) * (e - o.overfitFrom) + 0.004 * Math.sin(e);
    }
    const acc = 1 - loss / 2.5;
    const vacc = 1 - val / 2.6;
    rows.push([e, acc.toFixed(6), loss.toFixed(6), vacc.toFixed(6), val.toFixed(6)].join(','));
  }
  return rows.join('\n') + '\n';
}

/** The same curves as a Keras History JSON ({"loss": [...], "val_loss": [...]}). */
export function kerasHistoryJson(o: CurveOptions): string {
  const cols: Record<string, number[]> = { accuracy: [], loss: [], val_accuracy: [], val_loss: [] };
  for (const line of kerasCsv(o).trim().split('\n').slice(1)) {
    const [, acc, loss, vacc, vloss] = line.split(',').map(Number);
    cols.accuracy.push(acc);
    cols.loss.push(loss);
    cols.val_accuracy.push(vacc);
    cols.val_loss.push(vloss);
  }
  return JSON.stringify(cols);
}
