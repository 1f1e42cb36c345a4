/**
 * The what-if report of a plan BEFORE it is applied (`caribou solve <id> --report FILE`): what
 * would run where, hour by hour; what the solver predicts for carbon, cost and runtime against
 * home, with the per-run spread (mean and tail of its Monte Carlo runs); which hours and
 * regions drive the saving; and a data-quality flag wherever an input was filled or estimated
 * (a region without hourly carbon data, an unmeasured latency, a default price, durations
 * borrowed from another region). Self-contained HTML: inline SVG and CSS, no scripts, no
 * network. Pure: (plan, input) → string.
 */
import type { StagedPlan } from '../model/staging';
import type { SolveInput } from '../solve';
import { esc, hourLines, placementGrid, regionColors, REPORT_CSS } from './html';

/** One data-quality flag: what was filled or estimated, and the kind of input it concerns. */
export interface QualityFlag {
  kind: 'carbon' | 'prices' | 'latency' | 'durations' | 'edges' | 'other';
  text: string;
}

/** The flags of a plan: the solver's fallbacks plus what the collectors filled or estimated for the regions in reach. */
export function qualityFlags(plan: StagedPlan, input: SolveInput, regions: readonly string[]): QualityFlag[] {
  const kindOf = (t: string): QualityFlag['kind'] =>
    /^carbon /.test(t) ? 'carbon' : /^prices /.test(t) ? 'prices' : /^(ping|latency) /.test(t) ? 'latency' : /^durations /.test(t) ? 'durations' : /^(edge|start hop|measurements)/.test(t) ? 'edges' : 'other';
  const out: QualityFlag[] = plan.fallbacks.map((text) => ({ kind: kindOf(text), text }));
  for (const r of regions) {
    const c = input.carbon[r];
    if (c && /^snapshot/.test(c.source)) out.push({ kind: 'carbon', text: `carbon ${r}: no hourly data for ${c.for_date}; a monthly average profile (${c.source})` });
    if (c?.filled.length) out.push({ kind: 'carbon', text: `carbon ${r}: filled ${c.filled.join(', ')}` });
    if (c && /forecast/.test(c.source)) out.push({ kind: 'carbon', text: `carbon ${r}: partly forecast (${c.source})` });
    const p = input.provider[r];
    if (p && /^snapshot|default/.test(p.source)) out.push({ kind: 'prices', text: `prices ${r}: ${p.source}` });
    const perf = input.performance[r];
    if (perf?.filled.length) out.push({ kind: 'latency', text: `latency ${r}: filled ${perf.filled.slice(0, 6).join(', ')}${perf.filled.length > 6 ? ` and ${perf.filled.length - 6} more` : ''}` });
  }
  const seen = new Set<string>();
  return out.filter((f) => !seen.has(f.text) && seen.add(f.text));
}

/** Summary figures of a plan over its hour keys (each key weighs the hours up to the next key). */
export function planTotals(plan: StagedPlan): Record<'carbon' | 'cost' | 'runtime', { home: number; chosen: number; homeTail: number; chosenTail: number; change_pct: number }> {
  const keys = plan.time_keys.map(Number).sort((a, b) => a - b);
  const weight = (k: number, i: number) => (i + 1 < keys.length ? keys[i + 1] : 24) - k;
  const out = {} as ReturnType<typeof planTotals>;
  for (const m of ['carbon', 'cost', 'runtime'] as const) {
    let h = 0;
    let c = 0;
    let ht = 0;
    let ct = 0;
    keys.forEach((k, i) => {
      const x = plan.metrics[String(k)];
      const w = weight(k, i) / 24;
      h += w * x.home[m].mean;
      c += w * x.chosen[m].mean;
      ht = Math.max(ht, x.home[m].tail);
      ct = Math.max(ct, x.chosen[m].tail);
    });
    out[m] = { home: h, chosen: c, homeTail: ht, chosenTail: ct, change_pct: h ? ((c - h) / h) * 100 : 0 };
  }
  return out;
}

const pct = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(1)}%`;
function num(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 0.001 ? Number(v.toPrecision(3)).toString() : v.toExponential(2);
}

/** Renders the what-if report. */
export function renderWhatIf(plan: StagedPlan, input: SolveInput): string {
  const home = input.config.home_region.region;
  const keys = plan.time_keys.map(Number).sort((a, b) => a - b);
  // hour → the plan key in force (a key holds until the next one)
  const keyAt = (h: number) => String([...keys].reverse().find((k) => k <= h) ?? keys[keys.length - 1]);
  const instances = Object.keys(plan.placements[String(keys[0])] ?? {});
  // rows by function name ("fn#k" for a function's k-th further instance): instance names are long
  const seen = new Map<string, number>();
  const label = new Map<string, string>();
  for (const i of input.config.instances) {
    const k = seen.get(i.function_name) ?? 0;
    seen.set(i.function_name, k + 1);
    label.set(i.instance_name, k === 0 ? i.function_name : `${i.function_name}#${k}`);
  }
  const placement: Record<string, string[]> = {};
  for (const inst of instances) placement[label.get(inst) ?? inst] = Array.from({ length: 24 }, (_, h) => plan.placements[keyAt(h)][inst]);
  const used = [...new Set([home, ...Object.values(placement).flat()])];
  const allowed = input.config.allowed_regions?.length ? input.config.allowed_regions : input.available_regions;
  const inReach = [...new Set([home, ...allowed.filter((r) => !(input.config.disallowed_regions ?? []).includes(r))])];
  const colors = regionColors([...used, ...inReach]);
  const intensity = inReach
    .filter((r) => input.carbon[r])
    .map((r) => ({
      name: r + (r === home ? ' (home)' : ''),
      values: Array.from({ length: 24 }, (_, h) => input.carbon[r].averages[String(h)]?.carbon_intensity ?? input.carbon[r].averages.overall?.carbon_intensity ?? null),
      color: used.includes(r) ? colors[r] : '#bbb',
      bold: used.includes(r),
    }));
  const t = planTotals(plan);
  const flags = qualityFlags(plan, input, inReach);
  const perRun = (g: number) => `${num(g * 1e6)} mg CO2e per 1,000 runs`;
  const headline =
    Math.abs(t.carbon.change_pct) < 0.05
      ? `The plan keeps every function at home (${home}): no change predicted.`
      : `Predicted: ${pct(t.carbon.change_pct)} carbon (${perRun(t.carbon.home)} → ${perRun(t.carbon.chosen)}), cost ${pct(t.cost.change_pct)}, mean runtime ${pct(t.runtime.change_pct)}; not applied yet.`;
  // the hours that drive the saving
  const drivers = keys
    .map((k) => {
      const m = plan.metrics[String(k)];
      const regions = [...new Set(Object.values(plan.placements[String(k)]))].filter((r) => r !== home);
      return { k, save: m.home.carbon.mean - m.chosen.carbon.mean, pct: m.home.carbon.mean ? ((m.chosen.carbon.mean - m.home.carbon.mean) / m.home.carbon.mean) * 100 : 0, regions };
    })
    .sort((a, b) => b.save - a.save);
  const regionShare = new Map<string, number>();
  for (const regions of Object.values(placement)) for (const r of regions) if (r !== home) regionShare.set(r, (regionShare.get(r) ?? 0) + 1);
  const totalCells = instances.length * 24;
  const metricRow = (label: string, k: 'carbon' | 'cost' | 'runtime', scale: number, unit: string) =>
    `<tr><th>${label} (${unit})</th><td>${num(t[k].home * scale)}</td><td>${num(t[k].chosen * scale)}</td><td>${pct(t[k].change_pct)}</td><td>${num(t[k].homeTail * scale)}</td><td>${num(t[k].chosenTail * scale)}</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>What if: ${esc(plan.workflow_id)}</title>
<style>
${REPORT_CSS}.flag{background:#fff6e0;border-left:4px solid #e6ab02;padding:.2em .6em;margin:.2em 0;list-style:none}
</style></head><body>
<h1>What if: ${esc(plan.workflow_id)}</h1>
<p class="headline" id="headline">${esc(headline)}</p>
<p>Home region <b>${esc(home)}</b>. ${esc(plan.algorithm)} search, ${plan.evaluations} evaluations, solved ${esc(plan.solved_at)}; hour keys ${esc(plan.time_keys.join(', '))} (UTC). Nothing has moved: this is the plan before the migrator applies it.</p>
<h2>Data quality</h2>
${flags.length ? `<p class="note">${flags.length} input(s) were filled or estimated; the prediction is only as good as these.</p><ul id="flags">${flags.map((f) => `<li class="flag"><b>${f.kind}</b>: ${esc(f.text)}</li>`).join('')}</ul>` : '<p id="flags">Every input was measured or collected: no fallbacks were used.</p>'}
<h2>Grid carbon intensity by region and hour</h2>
<p class="note">gCO2e/kWh, the hourly data the solver used. Colour = region (bold: a region the plan uses; grey: in reach, unused).</p>
${hourLines(intensity, 'gCO2e/kWh')}
<h2>Placement by hour</h2>
<p class="note">Each instance's region hour by hour under the plan; colour = region, as above (faded: home).</p>
${placementGrid(placement, colors, home)}
<h2>Predicted against home</h2>
<table><tr><th></th><th>home, mean</th><th>plan, mean</th><th>change</th><th>home, p95 (worst hour)</th><th>plan, p95 (worst hour)</th></tr>
${metricRow('carbon', 'carbon', 1e6, 'mg CO2e / 1,000 runs')}
${metricRow('cost', 'cost', 1e6, 'USD / 1M runs')}
${metricRow('runtime', 'runtime', 1, 's')}
</table>
<p class="note">Means over the day (each hour key weighs the hours it covers); p95 is the per-run spread of the solver's Monte Carlo runs, the uncertainty a single run carries. Predictions, not measurements: compare them with the quickstart's A/B or with realized runs after the plan is applied.</p>
<h2>What drives the saving</h2>
<table id="drivers"><tr><th>hour key</th><th>carbon change</th><th>regions used besides home</th></tr>
${drivers
  .slice(0, 8)
  .map((d) => `<tr><th>${d.k}:00</th><td>${pct(d.pct)}</td><td style="text-align:left">${esc(d.regions.join(', ') || '(home only)')}</td></tr>`)
  .join('')}
</table>
<p>${regionShare.size ? [...regionShare].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${esc(r)}: ${((n / totalCells) * 100).toFixed(0)}% of instance-hours`).join('; ') : 'No instance-hour leaves home.'}</p>
</body></html>
`;
}
