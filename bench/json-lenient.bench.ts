/**
 * JSON-family parse speed on a 100,000-entry trainer_state.json: the native JSON.parse as the floor, the fast path of
 * parseJsonLenient (JSON.parse + depth check), the lenient fallback taken when the file holds bare NaN tokens
 * (as real 021 does), and the whole Hugging Face parser on each. Best of 3, CPU-bound, single thread.
 */
import { performance } from 'node:perf_hooks';
import { hfTrainerStateParser } from '../src/ingest/hf-trainer-state.ts';
import { parseJsonLenient } from '../src/ingest/json-lenient.ts';

const ENTRIES = 100_000;

/** Pretty-printed like transformers writes it (indent 2, sorted keys); every 1000th grad_norm a bare NaN when `nan`. */
function trainerState(entries: number, nan: boolean): string {
  const log: string[] = [];
  for (let i = 1; i <= entries; i++) {
    const step = i * 10;
    const epoch = step / 5000;
    if (i % 10 === 0) {
      log.push(`    {\n      "epoch": ${epoch},\n      "eval_loss": ${0.5 + 0.3 * Math.exp(-step / 1e5)},\n      "eval_runtime": 12.5,\n      "eval_samples_per_second": 400.2,\n      "eval_steps_per_second": 50.1,\n      "step": ${step}\n    }`);
    } else {
      const grad = nan && i % 1000 === 1 ? 'NaN' : String(1 + Math.sin(i));
      log.push(`    {\n      "epoch": ${epoch},\n      "grad_norm": ${grad},\n      "learning_rate": ${5e-5 * (1 - i / entries)},\n      "loss": ${0.3 + Math.exp(-step / 2e5)},\n      "step": ${step}\n    }`);
    }
  }
  return `{\n  "best_metric": null,\n  "global_step": ${entries * 10},\n  "log_history": [\n${log.join(',\n')}\n  ]\n}\n`;
}

/** Best of `times` runs: wall seconds, and CPU seconds of this process (steadier when the machine is shared). */
function best(times: number, f: () => unknown): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < times; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { wall: Number(wall.toFixed(4)), cpu: Number(cpu.toFixed(4)) };
}

export default async function bench(): Promise<Record<string, unknown>> {
  const plain = trainerState(ENTRIES, false);
  const withNaN = trainerState(ENTRIES, true);
  const mb = plain.length / 1e6;
  const runs = {
    jsonParse: best(3, () => JSON.parse(plain)),
    fastPath: best(3, () => parseJsonLenient(plain, 'bench.json')),
    lenientPath: best(3, () => parseJsonLenient(withNaN, 'bench.json')),
    hfParsePlain: best(3, () => hfTrainerStateParser.parse(plain, 'bench.json')),
    hfParseWithNaN: best(3, () => hfTrainerStateParser.parse(withNaN, 'bench.json')),
  };
  const out: Record<string, unknown> = { entries: ENTRIES, sizeMB: Number(mb.toFixed(1)) };
  for (const [name, r] of Object.entries(runs)) {
    out[`${name}Seconds`] = r.wall;
    out[`${name}CpuSeconds`] = r.cpu;
    out[`${name}MBps`] = Number((mb / r.wall).toFixed(1));
  }
  out.hfEntriesPerSecond = Math.round(ENTRIES / runs.hfParsePlain.wall);
  return out;
}
