/**
 * A print that lands on the line of a progress bar. tqdm draws its bar without a line break and moves on with `\r`;
 * whatever else writes to the terminal meanwhile (Lightning's `Metric val_loss improved. New best score: 0.710`,
 * `accelerator.print(f'epoch {e}:', metrics)`, a warning) starts right after the bar's last state, on the same line:
 * `Epoch 0:  50%|█████     | 4/8 [00:00<00:00, 93.31it/s, val_loss=0.710]Metric val_loss improved …`. Read as one
 * line, the message's numbers join the bar's template and the bar's counter places the message. A person sees two
 * prints; so are they read.
 */

/** tqdm's statistics block, `n/N [elapsed<remaining, rate(, postfix)]`, directly followed by more text. */
const BAR_THEN_TEXT = /\d+(?:\.\d+)?[kMG]?\/(?:\d+(?:\.\d+)?[kMG]?|\?) \[[^\]]*?(?:it\/s|s\/it)[^\]]*\](?=[^\s\]|])/g;

/** The prints a line holds: the bar's state and what was printed after it, or the line alone. */
export function splitAfterBars(text: string): string[] {
  // Cheap test first: most lines have no tqdm rate.
  if (!text.includes('it/s') && !text.includes('s/it')) return [text];
  const out: string[] = [];
  let from = 0;
  BAR_THEN_TEXT.lastIndex = 0;
  for (let m = BAR_THEN_TEXT.exec(text); m !== null; m = BAR_THEN_TEXT.exec(text)) {
    const end = m.index + m[0].length;
    out.push(text.slice(from, end));
    from = end;
  }
  if (from === 0) return [text];
  if (text.slice(from).trim() !== '') out.push(text.slice(from));
  return out;
}
