/**
 * The child process of RasteriserProcess: SVG in, PNG out, one message at a time, in order. If resvg aborts on
 * an SVG, this process dies alone; the parent answers that chart with a sentence and starts a new child.
 */
import { rasterise } from '../charts/rasterise.ts';
import type { RasterReply, RasterRequest } from './rasteriser-process.ts';

process.on('message', (m: RasterRequest) => {
  let reply: RasterReply;
  try {
    reply = { id: m.id, png: rasterise(m.svg, m.scale) };
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? e.message : String(e), chartError: e instanceof Error && e.name === 'ChartError' };
  }
  process.send!(reply);
});
// The parent going away (a crash, a kill -9) closes the channel: nothing is left to draw for.
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
