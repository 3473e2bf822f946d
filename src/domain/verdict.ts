/** The verdict contract (see DESIGN.md): what the engine returns and every face presents. */

export type Area = 'data' | 'architecture' | 'training' | 'generalization' | 'convergence';
export type ItemStatus = 'fail' | 'warn' | 'pass' | 'unknown';
export type VerdictStatus = 'fail' | 'warn' | 'pass';

export interface Mark {
  /** Display name of the series the mark belongs to ('val_loss', 'loss'). */
  series: string;
  step: number;
  label: string;
  /** 'line' (vertical rule, default), 'point' (a dot at (step, value)), 'band' (shaded from step to toStep). */
  kind?: 'line' | 'point' | 'band';
  value?: number;
  toStep?: number;
}

export interface VerdictItem {
  /** Stable id (DESIGN.md), never renamed. */
  id: string;
  area: Area;
  status: ItemStatus;
  title: string;
  evidence: Record<string, unknown>;
  fix: string;
  marks: Mark[];
  /**
   * Set when another finding of the same run explains this one (a NaN run's "plateau", an overfitting run's missing
   * early stopping): the item then passes, keeps its evidence, and the explaining item's id is named here.
   */
  explainedBy?: string;
}

export interface Verdict {
  /** `epochs` and `firstEpoch` as in RunSummary (src/domain/run.ts): print them with describeEpochs (src/domain/epochs.ts). */
  run: { id: string; name: string; format: string; points: number; epochs: number | null; firstEpoch?: number | null };
  status: VerdictStatus;
  items: VerdictItem[];
}
