/**
 * A rasteriser child (the protocol of src/app/rasteriser-child.ts) that aborts natively, as a resvg panic does, on
 * any SVG mentioning "abort-here": for tests that a dying rasteriser costs one chart and never the bot.
 */
import { rasterise } from '../../src/charts/rasterise.ts';
import type { RasterReply, RasterRequest } from '../../src/app/rasteriser-process.ts';

process.on('message', (m: RasterRequest) => {
  if (m.svg.includes('abort-here')) process.abort();
  const reply: RasterReply = { id: m.id, png: rasterise(m.svg, m.scale) };
  process.send!(reply);
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
