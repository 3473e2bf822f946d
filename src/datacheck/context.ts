/** What several checks share, computed once per table: the split, the exact groups and the near-duplicate pairs. */
import { TRAIN, VALIDATION, indicesOf, type DataTable } from './table.ts';
import { groupsOfPairs, identicalGroups, imageFingerprints, nearImagePairs, roundedBits, rowBits } from './hashing.ts';

export interface CheckContext {
  train: number[];
  val: number[];
  /** Groups of identical inputs over all examples (train and validation). */
  exactGroups: number[][];
  /** Groups of near-identical inputs over all examples, exact duplicates included in them. */
  nearGroups: number[][];
  /** How "near" was decided, for the sentences. */
  nearMethod: string;
}

export function checkContext(t: DataTable): CheckContext {
  const bits = rowBits(t.x);
  const exactGroups = identicalGroups(bits, t.featureSize);
  let nearGroups: number[][];
  let nearMethod: string;
  if (t.kind === 'images') {
    const fp = imageFingerprints(t.x, t.inputShape);
    // One representative of each exact group is searched (a thousand blank images would be a million pairs); the
    // exact groups join the near groups as they are.
    const copy = new Uint8Array(t.y.length);
    for (const g of exactGroups) for (let k = 1; k < g.length; k++) copy[g[k]!] = 1;
    const reps: number[] = [];
    for (let i = 0; i < t.y.length; i++) if (!copy[i]) reps.push(i);
    const pairs = nearImagePairs(fp, reps);
    for (const g of exactGroups) for (let k = 1; k < g.length; k++) pairs.push([g[0]!, g[k]!]);
    nearGroups = groupsOfPairs(pairs);
    nearMethod = 'perceptual hash, then pixel correlation ≥ 0.99';
  } else {
    nearGroups = identicalGroups(roundedBits(t.x), t.featureSize);
    nearMethod = 'equal after rounding every value to 3 significant digits';
  }
  return { train: indicesOf(t, TRAIN), val: indicesOf(t, VALIDATION), exactGroups, nearGroups, nearMethod };
}
