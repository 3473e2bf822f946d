/**
 * The push bench's load generator, run in its own process (forked by bench/push.bench.ts) so that the clients' JSON
 * encoding and HTTP stack do not share the server's event loop: the figure then measures the server.
 * Each of `runs` concurrent runs creates itself, then sends batches of `stepsPerBatch` steps × 2 metrics back to
 * back until `seconds` have passed. Reports per-batch latencies (ms, client-side: request sent → response parsed).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadRequest {
  url: string;
  token: string;
  runs: number;
  stepsPerBatch: number;
  seconds: number;
  /** Run names are `${namePrefix}-${r}` (default 'bench'): clients of different replicas push different runs. */
  namePrefix?: string;
}

export interface LoadReport {
  latenciesMs: number[];
  points: number;
  diagnosed: number;
  wallSeconds: number;
  cpuSeconds: number;
}

async function generate(o: LoadRequest): Promise<LoadReport> {
  // One keep-alive connection per run, as a training script would hold.
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.runs });
  const { hostname, port } = new URL(o.url);
  const post = (path: string, body: unknown) =>
    new Promise<any>((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = http.request(
        { agent, hostname, port, path, method: 'POST', headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (res.statusCode! >= 300) reject(new Error(`${path}: ${res.statusCode} ${JSON.stringify(json)}`));
            else resolve(json);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  const latenciesMs: number[] = [];
  let points = 0;
  let diagnosed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + o.seconds * 1000;
  await Promise.all(
    Array.from({ length: o.runs }, async (_, r) => {
      const { id } = await post('/api/v1/runs', { name: `${o.namePrefix ?? 'bench'}-${r}`, classes: 10 });
      let step = 0;
      while (performance.now() < until) {
        const batch = [];
        for (let i = 0; i < o.stepsPerBatch; i++, step++) {
          const t = step / 20_000;
          batch.push({ step, epoch: step / 1000, metrics: { loss: 0.3 + 2 * Math.exp(-4 * t) + 0.05 * Math.sin(step), accuracy: 0.9 - 0.8 * Math.exp(-4 * t) } });
        }
        const s = performance.now();
        const out = await post(`/api/v1/runs/${id}/metrics`, { points: batch });
        latenciesMs.push(performance.now() - s);
        points += out.accepted;
        if (out.diagnosed) diagnosed++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  return { latenciesMs, points, diagnosed, wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

process.once('message', (req: LoadRequest) => {
  generate(req).then(
    (report) => process.send!(report, () => process.exit(0)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
});
