/**
 * Faults as people type them ("label-noise=0.4", "sorted-labels", "class-imbalance=10"), for the CLI and /train.
 * A boolean fault takes no value; a numeric one needs one.
 */
import type { Faults } from './job-config.ts';
import { FAULT_NAMES, faultsSchema } from './job-config.ts';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const NUMERIC = new Set<keyof Faults>(['labelNoise', 'classImbalance', 'tinyTrain']);

/** Every fault as typed, with an example value for the numeric ones. */
export const FAULT_SPECS: string[] = FAULT_NAMES.map((f) => (NUMERIC.has(f) ? `${kebab(f)}=${f === 'labelNoise' ? '0.4' : f === 'classImbalance' ? '10' : '5'}` : kebab(f)));

export class FaultSpecError extends Error {}

export function parseFaultSpecs(specs: readonly string[]): Faults {
  const faults: Record<string, unknown> = {};
  for (const raw of specs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const [name, value] = raw.split('=', 2) as [string, string | undefined];
    const key = FAULT_NAMES.find((f) => kebab(f) === name.trim().toLowerCase() || f === name.trim());
    if (!key) throw new FaultSpecError(`unknown fault "${name}" (expected one of ${FAULT_SPECS.join(', ')})`);
    if (NUMERIC.has(key)) {
      const v = Number(value);
      if (value === undefined || value.trim() === '' || !Number.isFinite(v)) throw new FaultSpecError(`fault ${kebab(key)} needs a number, e.g. ${FAULT_SPECS.find((s) => s.startsWith(kebab(key)))}`);
      faults[key] = v;
    } else {
      if (value !== undefined) throw new FaultSpecError(`fault ${kebab(key)} takes no value`);
      faults[key] = true;
    }
  }
  const r = faultsSchema.safeParse(faults);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new FaultSpecError(`fault ${kebab(String(issue.path[0]))}: ${issue.message}`);
  }
  return r.data;
}
