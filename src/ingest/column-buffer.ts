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
    this.steps = grownTo(this.steps, c);
    this.epochs = grownTo(this.epochs, c);
    this.values = grownTo(this.values, c);
  }
}

/** A copy of `a` with room for `capacity` values (the growth step of the append-only columns that parsers fill). */
export function grownTo(a: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  b.set(a);
  return b;
}
