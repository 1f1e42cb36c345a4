/**
 * A self-contained HTML report (inline SVG, no scripts, no network): grid carbon intensity
 * by region and hour, the placement of each function through the day, and before/after
 * metrics, estimated by the solver and measured in the local cloud.
 */

/** Mean and tail of one metric. */
export interface MeanTail {
  mean: number;
  p95: number;
}

/** Metrics of one deployment. */
export interface MetricSet {
  carbon: MeanTail;
  cost: MeanTail;
  runtime: MeanTail;
}

export interface ReportData {
  title: string;
  /** the one sentence a person reads first (e.g. the measured change and whether it is significant) */
  headline?: string;
  workflowId: string;
  /** the UTC day the carbon profile and the runs are for */
  day: string;
  home: string;
  /** region → 24 hourly intensities (gCO2e/kWh); `highlight` regions are drawn bold */
  intensity: Record<string, number[]>;
  highlight: string[];
  /** function (or instance) → 24 regions, hour by hour */
  placement: Record<string, string[]>;
  measured: { home: MetricSet; optimized: MetricSet; runs: { home: number; optimized: number } };
  estimated?: { home: MetricSet; optimized: MetricSet };
  /** per hour: mean measured carbon per run before and after (null when no run that hour) */
  carbonByHour: { home: Array<number | null>; optimized: Array<number | null> };
  notes: string[];
  attribution: string;
}

// no green and no grey: in the other charts green means "new placement" and grey "home placement"
const PALETTE = ['#d95f02', '#7570b3', '#e7298a', '#1f78b4', '#e6ab02', '#a6761d', '#6a3d9a', '#fb9a99', '#cab2d6', '#b15928', '#8dd3c7', '#fdb462'];

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A stable color per region, listed regions first. */
export function regionColors(regions: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  [...new Set(regions)].forEach((r, i) => (out[r] = PALETTE[i % PALETTE.length]));
  return out;
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 0.01) return v.toPrecision(3);
  return v.toExponential(2);
}

/** A line chart over hours 0–23. */
/** Both hour charts share this frame, so the placement grid sits exactly under the intensity lines. */
const FRAME = { W: 760, L: 170, R: 150 };

export function hourLines(series: Array<{ name: string; values: Array<number | null>; color: string; bold?: boolean; dash?: boolean }>, yLabel: string): string {
  const { W, L, R } = FRAME;
  const H = 300;
  const T = 20;
  const B = 40;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const ymax = niceMax(Math.max(0, ...all));
  const cw = (W - L - R) / 24;
  const x = (h: number) => L + (h + 0.5) * cw; // the centre of hour h's cell in the placement grid
  const y = (v: number) => T + (1 - v / ymax) * (H - T - B);
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">`];
  for (let i = 0; i <= 4; i++) {
    const v = (ymax * i) / 4;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${fmt(v)}</text>`);
  }
  for (let h = 0; h < 24; h += 3) parts.push(`<text x="${x(h)}" y="${H - B + 16}" text-anchor="middle" font-size="11">${h}:00</text>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 4}" text-anchor="middle" font-size="11">hour of day (UTC)</text>`);
  parts.push(`<text x="${L - 50}" y="${(T + H - B) / 2}" font-size="11" transform="rotate(-90 ${L - 50} ${(T + H - B) / 2})" text-anchor="middle">${esc(yLabel)}</text>`);
  // thin context lines first, so the bold ones are drawn on top
  const ordered = [...series.filter((s) => !s.bold), ...series.filter((s) => s.bold)];
  // legend rows: with bold series present only they get rows (the thin ones share one row after them)
  const anyBold = series.some((s) => s.bold);
  const legendIndex = new Map((anyBold ? series.filter((s) => s.bold) : series).map((s, i) => [s, i]));
  ordered.forEach((s) => {
    const i = legendIndex.get(s) ?? 0;
    let d = '';
    let pen = false;
    s.values.forEach((v, h) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(h).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.bold ? 3 : 1.2}" ${s.dash ? 'stroke-dasharray="5 4"' : ''} opacity="${s.bold ? 1 : 0.55}"><title>${esc(s.name)}</title></path>`);
    if (!s.bold && series.some((o) => o.bold)) return; // thin context lines share one legend entry
    const ly = T + 10 + i * 15;
    if (ly < H - 10) parts.push(`<line x1="${W - R + 10}" x2="${W - R + 30}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="${s.bold ? 3 : 1.2}" ${s.dash ? 'stroke-dasharray="5 4"' : ''}/><text x="${W - R + 34}" y="${ly + 4}" font-size="11" ${s.bold ? 'font-weight="bold"' : ''}>${esc(s.name)}</text>`);
  });
  const thin = series.filter((s) => !s.bold).length;
  if (thin && series.some((s) => s.bold)) {
    const ly = T + 10 + series.filter((s) => s.bold).length * 15;
    parts.push(`<line x1="${W - R + 10}" x2="${W - R + 30}" y1="${ly}" y2="${ly}" stroke="#bbb" stroke-width="1.2"/><text x="${W - R + 34}" y="${ly + 4}" font-size="11">${thin} other regions</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Rows of functions, 24 hour cells colored by region. */
export function placementGrid(placement: Record<string, string[]>, colors: Record<string, string>, home: string): string {
  const names = Object.keys(placement);
  const { W, L, R } = FRAME;
  const cw = (W - L - R) / 24;
  const rh = 26;
  const H = 30 + names.length * rh + 40;
  const parts = [`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">`];
  for (let h = 0; h < 24; h += 3) parts.push(`<text x="${L + h * cw + cw / 2}" y="16" text-anchor="middle" font-size="11">${h}:00</text>`);
  names.forEach((n, r) => {
    const yy = 24 + r * rh;
    parts.push(`<text x="${L - 8}" y="${yy + rh / 2 + 4}" text-anchor="end" font-size="12">${esc(n)}</text>`);
    placement[n].forEach((region, h) => {
      parts.push(`<rect x="${L + h * cw}" y="${yy}" width="${cw - 1}" height="${rh - 3}" fill="${colors[region] ?? '#999'}" ${region === home ? 'opacity="0.45"' : ''}><title>${esc(n)} ${h}:00 → ${esc(region)}</title></rect>`);
    });
  });
  const used = [...new Set(Object.values(placement).flat())];
  let lx = L;
  const ly = 30 + names.length * rh + 10;
  for (const r of used) {
    parts.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${colors[r] ?? '#999'}" ${r === home ? 'opacity="0.45"' : ''}/><text x="${lx + 16}" y="${ly + 10}" font-size="11">${esc(r)}${r === home ? ' (home)' : ''}</text>`);
    lx += 130;
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Before/after bars: one panel per metric with its own y axis (ticks and unit), two groups
 * (measured, estimated). Colour means one thing: the placement (grey home, green new).
 */
function beforeAfterBars(data: ReportData): string {
  const metrics: Array<{ key: keyof MetricSet; label: string; unit: string; stat: keyof MeanTail; scale: number }> = [
    { key: 'carbon', label: 'carbon, mean', unit: 'mg CO2e per 1,000 runs', stat: 'mean', scale: 1e6 },
    { key: 'cost', label: 'cost, mean', unit: 'USD per million runs', stat: 'mean', scale: 1e6 },
    { key: 'runtime', label: 'runtime, p95', unit: 's', stat: 'p95', scale: 1 },
  ];
  const HOME = '#888';
  const NEW = '#1b9e77';
  const W = 760;
  const panel = W / 3;
  const H = 280;
  const T = 52;
  const B = 40;
  const parts = [`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">`];
  // one legend for the three panels
  parts.push(`<rect x="${W / 2 - 150}" y="4" width="12" height="12" fill="${HOME}"/><text x="${W / 2 - 134}" y="14" font-size="11">home placement</text>`);
  parts.push(`<rect x="${W / 2 + 10}" y="4" width="12" height="12" fill="${NEW}"/><text x="${W / 2 + 26}" y="14" font-size="11">new placement</text>`);
  metrics.forEach((m, i) => {
    const groups: Array<{ name: string; home: number; opt: number }> = [{ name: 'measured', home: data.measured.home[m.key][m.stat] * m.scale, opt: data.measured.optimized[m.key][m.stat] * m.scale }];
    if (data.estimated) groups.push({ name: 'estimated', home: data.estimated.home[m.key][m.stat] * m.scale, opt: data.estimated.optimized[m.key][m.stat] * m.scale });
    const ymax = niceMax(Math.max(...groups.flatMap((g) => [g.home, g.opt])));
    const x0 = i * panel + 52;
    const plotW = panel - 64;
    const y = (v: number) => H - B - ((H - T - B) * v) / ymax;
    parts.push(`<text x="${i * panel + panel / 2}" y="28" text-anchor="middle" font-size="12" font-weight="bold">${esc(m.label)}</text><text x="${i * panel + panel / 2}" y="40" text-anchor="middle" font-size="10">${esc(m.unit)}</text>`);
    for (let k = 0; k <= 2; k++) {
      const v = (ymax * k) / 2;
      parts.push(`<line x1="${x0}" x2="${x0 + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${x0 - 4}" y="${y(v) + 4}" text-anchor="end" font-size="10">${fmt(v)}</text>`);
    }
    parts.push(`<line x1="${x0}" x2="${x0}" y1="${T}" y2="${H - B}" stroke="#999"/>`);
    const gw = plotW / groups.length;
    groups.forEach((g, j) => {
      const bw = Math.min(34, (gw - 16) / 2);
      const gx = x0 + j * gw + (gw - 2 * bw - 4) / 2;
      [
        { v: g.home, c: HOME, n: 'home' },
        { v: g.opt, c: NEW, n: 'new' },
      ].forEach((b, k) => {
        const xx = gx + k * (bw + 4);
        parts.push(`<rect x="${xx}" y="${y(b.v)}" width="${bw}" height="${H - B - y(b.v)}" fill="${b.c}"><title>${esc(g.name)}, ${b.n} placement: ${fmt(b.v)} ${esc(m.unit)}</title></rect>`);
        parts.push(`<text x="${xx + bw / 2}" y="${y(b.v) - 3}" text-anchor="middle" font-size="9">${fmt(b.v)}</text>`);
      });
      parts.push(`<text x="${x0 + j * gw + gw / 2}" y="${H - B + 14}" text-anchor="middle" font-size="11">${esc(g.name)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

function metricRows(data: ReportData): string {
  const rows: string[] = [];
  for (const [k, unit, scale] of [
    ['carbon', 'mg CO2e / 1,000 runs', 1e6],
    ['cost', 'USD / 1M runs', 1e6],
    ['runtime', 's', 1],
  ] as const) {
    const cell = (v: number) => `<td>${fmt(v * scale)}</td>`;
    for (const stat of ['mean', 'p95'] as const) {
      rows.push(
        `<tr><th>${k} ${stat} (${unit})</th>${data.estimated ? cell(data.estimated.home[k][stat]) + cell(data.estimated.optimized[k][stat]) : '<td>–</td><td>–</td>'}${cell(data.measured.home[k][stat])}${cell(data.measured.optimized[k][stat])}</tr>`,
      );
    }
  }
  return `<table><tr><th></th><th>home, estimated</th><th>new, estimated</th><th>home, measured (${data.measured.runs.home} runs)</th><th>new, measured (${data.measured.runs.optimized} runs)</th></tr>${rows.join('')}</table>`;
}

/** Marks a report as written by caribou, so that it is the only kind of file a later quickstart overwrites. */
export const REPORT_GENERATOR_TAG = '<meta name="generator" content="caribou quickstart">';

/** The look every HTML report shares (no external fonts or scripts: reports open offline). */
export const REPORT_CSS = `body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:820px;margin:2em auto;color:#222;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th:first-child{text-align:left}
.note{color:#555;font-size:.85em}
.headline{font-size:1.2em;font-weight:bold;background:#f3f7f5;border-left:4px solid #1b9e77;padding:.6em .8em}
`;

/** Renders the whole report as one HTML document. */
export function renderReport(data: ReportData): string {
  const regions = [...data.highlight, ...Object.keys(data.intensity).filter((r) => !data.highlight.includes(r))];
  const colors = regionColors(regions);
  const intensitySeries = regions
    .filter((r) => data.intensity[r])
    .map((r) => ({ name: r + (r === data.home ? ' (home)' : ''), values: data.intensity[r], color: data.highlight.includes(r) ? colors[r] : '#bbb', bold: data.highlight.includes(r) }));
  const carbonSeries = [
    { name: 'home placement', values: data.carbonByHour.home.map((v) => (v === null ? null : v * 1e6)), color: '#888', bold: true },
    { name: 'new placement', values: data.carbonByHour.optimized.map((v) => (v === null ? null : v * 1e6)), color: '#1b9e77', bold: true },
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${REPORT_GENERATOR_TAG}<title>${esc(data.title)}</title>
<style>
${REPORT_CSS}</style></head><body>
<h1>${esc(data.title)}</h1>
${data.headline ? `<p class="headline" id="headline">${esc(data.headline)}</p>` : ''}
<p>Workflow <b>${esc(data.workflowId)}</b>, home region <b>${esc(data.home)}</b>, day ${esc(data.day)} (UTC).</p>
<h2>Grid carbon intensity by region and hour</h2>
<p class="note">Colour = region (the same colours as the placement below); bold: the regions the workflow may use, grey: the others. gCO2e/kWh, the hourly profile the collectors wrote for the day.</p>
${hourLines(intensitySeries, 'gCO2e/kWh')}
<h2>Placement through the day</h2>
<p class="note">Each function's region, hour by hour, under the placement decision CaribouCycle switched to (faded: home).</p>
${placementGrid(data.placement, colors, data.home)}
<h2>Before and after</h2>
${beforeAfterBars(data)}
${metricRows(data)}
<p class="note">Estimated: the solver's Monte Carlo metrics for the plan and for home, averaged over the hour slots. Measured: both runs of each A/B pair priced from the runtime's log lines (regions, hours, durations, message and download sizes) with the same terms and formulas.</p>
<h2>Carbon per run through the day</h2>
<p class="note">Measured in the A/B pairs after warm-up, by hour of the day. Colour = placement.</p>
${hourLines(carbonSeries, 'mg CO2e per 1,000 runs')}
${data.notes.length ? `<h2>Notes</h2><ul>${data.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<p class="note">${esc(data.attribution)}</p>
</body></html>
`;
}
