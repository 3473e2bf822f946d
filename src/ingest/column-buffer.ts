import type { SeriesBuilder } from './series-builder.ts';

/**
 * Growable Float64 columns (step, epoch, value) for one raw metric name, so that parsers of big JSON histories fill
 * typed arrays directly instead of pushing boxed numbers through SeriesBuilder.add (which dominated their profile).
 */
export class ColumnBuffer {
  private steps: Float64Array;
  private epochs: Float64Array;
  private values: Float64Array;
  private n = 0;

  constructor(initialCapacity = 64) {
    const c = Math.max(1, initialCapacity);
    this.steps = new Float64Array(c);
    this.epochs = new Float64Array(c);
    this.values = new Float64Array(c);
  }

  push(step: number, value: number, epoch: number): void {
    if (this.n === this.values.length) this.grow();
    this.steps[this.n] = step;
    this.epochs[this.n] = epoch;
    this.values[this.n] = value;
    this.n++;
  }

  get length(): number {
    return this.n;
  }

  /** Hands the filled part to the builder (trimmed copies, so the spare capacity is not kept alive). */
  flushInto(builder: SeriesBuilder, rawName: string): void {
    if (this.n === 0) return;
    builder.addColumn(rawName, this.steps.slice(0, this.n), this.values.slice(0, this.n), this.epochs.slice(0, this.n));
  }

  private grow(): void {
    const c = this.values.length * 2;
    const resize = (a: Float64Array) => {
      const b = new Float64Array(c);
      b.set(a);
      return b;
    };
    this.steps = resize(this.steps);
    this.epochs = resize(this.epochs);
    this.values = resize(this.values);
  }
}
