// Stream TensorFlow.js training metrics to runmedic (browser or Node 18+: only fetch is used).
//   const cb = await runmedicCallback('mnist-cnn', { url: 'http://127.0.0.1:8787', token: process.env.RUNMEDIC_TOKEN });
//   await model.fit(xs, ys, { epochs: 20, validationSplit: 0.2, callbacks: cb });
export async function runmedicCallback(name, { url, token, config = {}, classes } = {}) {
  const base = url.replace(/\/$/, '');
  const post = async (path, body) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const res = await fetch(base + path, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (res.ok) return await res.json();
        if (res.status < 500 && res.status !== 429) {
          console.warn('runmedic:', path, res.status, await res.text());
          return {};
        }
      } catch (e) {
        if (attempt === 2) console.warn('runmedic:', path, e.message);
      }
      // Retrying is safe: the server drops steps it already has.
      if (attempt < 2) await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
    return {};
  };
  const { id } = await post('/api/v1/runs', { name, framework: 'tfjs', config, ...(classes ? { classes } : {}) });
  const finite = (logs) => Object.fromEntries(Object.entries(logs ?? {}).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
  return {
    runId: id, // undefined when the run could not be created: training goes on, unmonitored
    // tf.js accepts plain objects with these hooks as callbacks. A fit that throws never reaches onTrainEnd:
    // runmedic flags that run as stalled once it stops sending.
    onEpochEnd: async (epoch, logs) => {
      const point = { step: epoch, epoch, time: Date.now() / 1000, metrics: finite(logs) };
      if (id) await post(`/api/v1/runs/${id}/metrics`, { points: [point] });
    },
    onTrainEnd: async () => {
      if (id) await post(`/api/v1/runs/${id}/finish`, { status: 'finished' });
    },
  };
}
