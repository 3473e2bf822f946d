/**
 * The labelled examples a data check reads, whatever the file was: rows of a CSV, NumPy arrays, a zip of image
 * folders. Pure types; the readers in read/ build them and the checks in checks/ read them.
 */

export type TableKind = 'rows' | 'images';

/** Which side of the split an example is on (0 training, 1 validation). */
export const TRAIN = 0;
export const VALIDATION = 1;

export interface DataTable {
  /** The file the examples came from, as the user named it. */
  source: string;
  kind: TableKind;
  /** Per-example shape: [features] for rows, [height, width, channels] for images. */
  inputShape: number[];
  /** Product of inputShape. */
  featureSize: number;
  /** n × featureSize inputs, row-major, as read (not normalised: the checks judge the scale). */
  x: Float32Array;
  /** n class indices into classNames. */
  y: Int32Array;
  classNames: string[];
  /** n split flags (TRAIN / VALIDATION); all TRAIN when the file has no validation split. */
  split: Uint8Array;
  /** Whether the file itself said which examples are validation (a split column, x_val/y_val, a val/ folder). */
  hasValidation: boolean;
  /** How each example is named to the user: "row 12", "x[41]", "cat/img3.png". */
  names: string[];
  /** Feature (column) names for rows; empty for images. */
  featureNames: string[];
  /** What the reader did that the user should know: the label column it took, one-hot encodings, dropped rows. */
  notes: string[];
}

export function exampleCount(t: DataTable): number {
  return t.y.length;
}

/** Indices of the examples on one side of the split. */
export function indicesOf(t: DataTable, side: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < t.split.length; i++) if (t.split[i] === side) out.push(i);
  return out;
}

/** The examples on one side of the split gathered into their own arrays: their indices, inputs (row-major) and labels. */
export function rowsOf(t: DataTable, side: number): { idx: number[]; x: Float32Array; y: Int32Array } {
  const idx = indicesOf(t, side);
  const per = t.featureSize;
  const x = new Float32Array(idx.length * per);
  const y = new Int32Array(idx.length);
  idx.forEach((i, k) => {
    x.set(t.x.subarray(i * per, (i + 1) * per), k * per);
    y[k] = t.y[i]!;
  });
  return { idx, x, y };
}

/** Size limits a reader checks before decoding (INGEST_MAX_BYTES and the example cap). */
export interface ReadLimits {
  /** Most bytes a file, or all members of an archive together, may inflate or decode to. */
  maxBytes: number;
  /** Most examples read. */
  maxExamples: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxBytes: 256 * 1024 * 1024, maxExamples: 200_000 };
