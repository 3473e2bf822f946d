/** The range test's picture: loss against learning rate (log axis), the suggestion and the minimum marked. Pure SVG. */
import { CHART_FONT_FAMILY } from '../../charts/fonts.ts';
import { DARK } from '../../charts/theme.ts';
import { fmt, type LrPoint, type LrSuggestion } from './lr-find.ts';

const W = 800;
const H = 450;
const M = { left: 64, right: 24, top: 44, bottom: 52 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function lrChartSvg(points: LrPoint[], s: LrSuggestion, title: string, planned?: number): string {
  const th = DARK;
  const finite = points.filter((p) => Number.isFinite(p.smoothed) && Number.isFinite(p.loss));
  const lx = (lr: number) => Math.log10(lr);
  const x0 = lx(finite[0]?.lr ?? 1e-7);
  const x1 = lx(Math.max(finite.at(-1)?.lr ?? 10, planned ?? 0, finite[0] ? finite[0].lr * 10 : 1));
  // The y range: from the lowest smoothed loss to 1.5× the first, so the explosion does not flatten the rest.
  const lo = Math.min(...finite.map((p) => Math.min(p.smoothed, p.loss)));
  const hi = Math.max(lo + 1e-6, Math.min(Math.max(...finite.map((p) => p.smoothed)), (finite[0]?.smoothed ?? 1) * 1.5));
  const px = (lr: number) => M.left + ((lx(lr) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (v: number) => M.top + (1 - (Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (H - M.top - M.bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="${th.background}"/>`,
    `<text x="${M.left}" y="26" font-family="${CHART_FONT_FAMILY}" font-size="16" font-weight="bold" fill="${th.text}">${esc(title.slice(0, 90))}</text>`,
  ];
  for (let d = Math.ceil(x0); d <= Math.floor(x1); d++) {
    const x = px(10 ** d);
    parts.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${H - M.bottom}" stroke="${th.grid}" stroke-width="1"/>`);
    parts.push(`<text x="${x}" y="${H - M.bottom + 18}" text-anchor="middle" font-family="${CHART_FONT_FAMILY}" font-size="12" fill="${th.muted}">1e${d}</text>`);
  }
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    const y = py(v);
    parts.push(`<line x1="${M.left}" y1="${y}" x2="${W - M.right}" y2="${y}" stroke="${th.grid}" stroke-width="1"/>`);
    parts.push(`<text x="${M.left - 8}" y="${y + 4}" text-anchor="end" font-family="${CHART_FONT_FAMILY}" font-size="12" fill="${th.muted}">${fmt(v)}</text>`);
  }
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle" font-family="${CHART_FONT_FAMILY}" font-size="13" fill="${th.muted}">learning rate (log scale)</text>`);
  const line = (key: 'loss' | 'smoothed') => finite.map((p, i) => `${i ? 'L' : 'M'}${px(p.lr).toFixed(1)} ${py(p[key]).toFixed(1)}`).join(' ');
  if (finite.length > 1) {
    parts.push(`<path d="${line('loss')}" fill="none" stroke="${th.train}" stroke-opacity="0.3" stroke-width="1"/>`);
    parts.push(`<path d="${line('smoothed')}" fill="none" stroke="${th.train}" stroke-width="2.5"/>`);
  }
  const mark = (lr: number | null, colour: string, label: string, row: number) => {
    if (lr === null || !(lr > 0)) return;
    const x = Math.min(W - M.right, Math.max(M.left, px(lr)));
    parts.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${H - M.bottom}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="5 4"/>`);
    const anchor = x > W * 0.7 ? 'end' : 'start';
    parts.push(`<text x="${x + (anchor === 'start' ? 6 : -6)}" y="${M.top + 16 + row * 18}" text-anchor="${anchor}" font-family="${CHART_FONT_FAMILY}" font-size="13" fill="${colour}">${esc(label)}</text>`);
  };
  mark(s.suggested, th.status.pass, `suggested ${fmt(s.suggested ?? 0)}`, 0);
  mark(s.minimum, th.val, `loss minimum ${fmt(s.minimum ?? 0)}`, 1);
  if (s.divergedAt !== null) mark(s.divergedAt, th.status.fail, `blew up ${fmt(s.divergedAt)}`, 2);
  if (planned !== undefined) mark(planned, th.text, `your rate ${fmt(planned)}`, 3);
  parts.push('</svg>');
  return parts.join('\n');
}
