/**
 * At most N heavy child processes at once (data checks, sanity checks, range tests): a burst of uploads waits its
 * turn instead of starting a dozen processes that each want a whole core. In-process, per bot process.
 */
export class ChildSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(readonly max: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** Shared by /datacheck, /sanity and /lrfind. */
export const HEAVY_CHECKS = new ChildSlots(2);
