/**
 * Builds the bundled data snapshot (src/data/snapshot.json and src/data/README.md) from the
 * public data in ../shared/data (override with CARIBOU_SHARED_DATA=<dir>).
 *
 * The snapshot is small on purpose: per region a 12 × 24 (month × UTC hour) carbon profile
 * instead of raw hourly series, a symmetric latency matrix, and a handful of prices. Every
 * value that does not come straight from the data is filled by a named rule and listed in
 * the README, so nothing is filled silently.
 *
 *   npm run data:build            (CARIBOU_SHARED_DATA=<in dir>, CARIBOU_DATA_OUT=<out dir> to override)
 */
import * as fs from 'fs';
import * as path from 'path';

const DATA_DIR = path.resolve(process.env.CARIBOU_SHARED_DATA ?? path.join(__dirname, '..', '..', 'shared', 'data'));
// CARIBOU_DATA_OUT lets a test rebuild into a scratch folder and compare with the committed files
const OUT_DIR = path.resolve(process.env.CARIBOU_DATA_OUT ?? path.join(__dirname, '..', 'src', 'data'));

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Parses RFC-4180-ish CSV (quoted fields may hold commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Reads a CSV file into objects keyed by header. */
function readCsv(rel: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(fs.readFileSync(path.join(DATA_DIR, rel), 'utf8').replace(/^\uFEFF/, ''));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

function readJson(rel: string): any {
  return JSON.parse(fs.readFileSync(path.join(DATA_DIR, rel), 'utf8'));
}

function fail(msg: string): never {
  console.error(`build-data: ${msg}`);
  process.exit(1);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Great-circle distance in km (haversine, R = 6371 km, as Caribou). */
function haversineKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

// ---------------------------------------------------------------------------------------------
// Regions

interface RegionRow {
  code: string;
  name: string;
  latitude: number;
  longitude: number;
  grid_zone: string;
  country: string;
}

const allRegions: RegionRow[] = readCsv('regions/aws_regions_derived.csv')
  .filter((r) => r.partition === 'aws' && r.latitude !== '' && r.em_zone !== '')
  .map((r) => ({
    code: r.region_code,
    name: r.name,
    latitude: Number(r.latitude),
    longitude: Number(r.longitude),
    grid_zone: r.em_zone,
    country: r.country_code,
  }));

// ---------------------------------------------------------------------------------------------
// Carbon: hourly sources per zone, newest full year first

interface HourlySource {
  zone: string;
  year: number;
  file: string;
  /** [epoch ms of the hour start (UTC), LCA gCO2e/kWh or NaN when blank] */
  series: Array<[number, number]>;
}

const HOURLY_DIR = 'carbon/hourly_electricitymaps';
const LCA_2022 = 'carbon/hourly_2022_lca_123zones/electricitymaps_2022_hourly_lca_123zones.csv';

function exportSources(zone: string): HourlySource[] {
  const files = fs
    .readdirSync(path.join(DATA_DIR, HOURLY_DIR))
    .filter((f) => f.startsWith(`${zone}_`) && /^[A-Z-]+_\d{4}_hourly\.csv$/.test(f))
    .sort()
    .reverse();
  return files.map((f) => {
    const year = Number(f.slice(zone.length + 1, zone.length + 5));
    const rows = readCsv(`${HOURLY_DIR}/${f}`);
    const lcaKey = Object.keys(rows[0]).find((k) => k.includes('(LCA)'));
    if (!lcaKey) fail(`${f}: no LCA column`);
    const series: Array<[number, number]> = rows.map((r) => {
      const t = Date.parse(r['Datetime (UTC)'].replace(' ', 'T') + 'Z');
      const v = r[lcaKey] === '' ? NaN : Number(r[lcaKey]);
      return [t, v];
    });
    return { zone, year, file: `${HOURLY_DIR}/${f}`, series };
  });
}

let lca2022: Record<string, string>[] | undefined;
function lca2022Source(zone: string): HourlySource | undefined {
  lca2022 ??= readCsv(LCA_2022);
  if (!(zone in lca2022[0])) return undefined;
  // timestamps were inferred by the data curator (2022-01-01T00Z + i hours); see PROVENANCE.md
  const series: Array<[number, number]> = lca2022.map((r) => [Date.parse(r.datetime_utc), r[zone] === '' ? NaN : Number(r[zone])]);
  return { zone, year: 2022, file: LCA_2022, series };
}

interface CarbonProfile {
  zone: string;
  year: number;
  file: string;
  /** [month 0..11][UTC hour 0..23] mean LCA intensity */
  profile: number[][];
  annualMean: number;
  missingHours: number;
}

function buildProfile(src: HourlySource): CarbonProfile {
  const sum = Array.from({ length: 12 }, () => new Array<number>(24).fill(0));
  const n = Array.from({ length: 12 }, () => new Array<number>(24).fill(0));
  let missing = 0;
  let total = 0;
  let count = 0;
  for (const [t, v] of src.series) {
    if (!Number.isFinite(t)) fail(`${src.file}: bad timestamp`);
    if (!Number.isFinite(v)) {
      missing++;
      continue;
    }
    const d = new Date(t);
    if (d.getUTCFullYear() !== src.year) continue;
    sum[d.getUTCMonth()][d.getUTCHours()] += v;
    n[d.getUTCMonth()][d.getUTCHours()] += 1;
    total += v;
    count++;
  }
  const profile = sum.map((row, m) =>
    row.map((s, h) => {
      // every month-hour cell must rest on at least 20 real days; a thinner cell means the source is not a full year
      if (n[m][h] < 20) fail(`${src.file}: month ${m + 1} hour ${h} has only ${n[m][h]} values`);
      return round(s / n[m][h], 1);
    }),
  );
  return { zone: src.zone, year: src.year, file: src.file, profile, annualMean: round(total / count, 1), missingHours: missing };
}

function carbonFor(zone: string): CarbonProfile | undefined {
  const src = exportSources(zone)[0] ?? lca2022Source(zone);
  return src ? buildProfile(src) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Latency: cloudping p50 round trip, symmetrised

const cloudping = readJson('latency/cloudping_p50_1Y_snapshot_2025-05-29.json');
if (cloudping?.metadata?.unit !== 'milliseconds') fail('cloudping snapshot: unit is not milliseconds');
const ping: Record<string, Record<string, number>> = cloudping.data;

// ---------------------------------------------------------------------------------------------
// Region selection: an AWS commercial region with coordinates, real hourly carbon for its zone and
// cloudping latency. Regions missing any of these are left out rather than invented.

const carbon = new Map<string, CarbonProfile>();
const excluded: Array<{ code: string; why: string }> = [];
const regions: RegionRow[] = [];
for (const r of allRegions) {
  if (!ping[r.code]) {
    excluded.push({ code: r.code, why: 'no cloudping latency' });
    continue;
  }
  const c = carbonFor(r.grid_zone);
  if (!c) {
    excluded.push({ code: r.code, why: `no hourly carbon data for zone ${r.grid_zone}` });
    continue;
  }
  carbon.set(r.code, c);
  regions.push(r);
}
regions.sort((a, b) => a.code.localeCompare(b.code));
const codes = regions.map((r) => r.code);

const REQUIRED = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-central-2'];
for (const c of REQUIRED) if (!codes.includes(c)) fail(`required region ${c} lacks data`);

const rttMs: number[][] = codes.map((a) =>
  codes.map((b) => {
    const ab = ping[a]?.[b];
    const ba = ping[b]?.[a];
    if (typeof ab !== 'number' || typeof ba !== 'number') fail(`cloudping lacks ${a} ↔ ${b}`);
    // A round trip A→B→A and B→A→B cross the same path twice, so both measurements estimate the
    // same quantity: their mean is the better estimate (raw asymmetry is probe noise, ≤ 21 %).
    return round((ab + ba) / 2, 2);
  }),
);

// ---------------------------------------------------------------------------------------------
// Prices

interface PriceValue {
  usd: number;
  filled: boolean;
  rule?: string;
  source: string;
}

const lambdaTable = new Map(readCsv('pricing/lambda_list_prices_10regions_aws_calculator_via_remotion.csv').map((r) => [r.region_code, r]));
const lambdaExceptions = new Map(readCsv('pricing/lambda_duration_price_region_exceptions_artillery.csv').map((r) => [r.region_code, r]));
const lambdaBase = lambdaExceptions.get('base');
if (!lambdaBase) fail('artillery exceptions: no base row');
const egress = readJson('pricing/dexcost_egress_prices.json').aws.regions as Record<string, string>;

const transferCsv = parseCsv(fs.readFileSync(path.join(DATA_DIR, 'pricing/sustain-cluster_aws_transmission_cost_matrix.csv'), 'utf8'));
const transferCols = transferCsv[0].slice(1);
const transferMatrix = new Map<string, Map<string, number>>();
for (const row of transferCsv.slice(1)) {
  // Local Zones (us-east-1-dwf-1, …) are not Lambda regions
  if (!/^[a-z]{2}-[a-z]+-\d$/.test(row[0])) continue;
  transferMatrix.set(row[0], new Map(transferCols.map((c, i) => [c, Number(row[i + 1])] as [string, number]).filter(([c]) => /^[a-z]{2}-[a-z]+-\d$/.test(c))));
}

const SRC_REMOTION = 'AWS calculator catalogue via remotion (pricing/lambda_list_prices_10regions_aws_calculator_via_remotion.csv)';
const SRC_ARTILLERY = 'artillery@2.0.28 region exceptions (pricing/lambda_duration_price_region_exceptions_artillery.csv)';
const SRC_TRANSFER = 'HewlettPackard/sustain-cluster transfer matrix (pricing/sustain-cluster_aws_transmission_cost_matrix.csv)';
const SRC_EGRESS = 'dexcost egress catalogue, first tier (pricing/dexcost_egress_prices.json)';

const RULE_LAMBDA_STANDARD = 'lambda-standard: AWS standard Lambda price (us-east-1 list price) for a region not listed as a price exception';
const RULE_LAMBDA_REQUEST = 'lambda-request-standard: standard request price $0.20 per million; the exception list gives duration prices only';
const RULE_SNS = 'sns-list-price: SNS standard topic publish $0.50 per million 64 KB requests (us-east-1 list price) applied to every region';
const RULE_DDB_READ = 'dynamodb-list-price: on-demand read request unit $0.125 per million (us-east-1, after the Nov 2024 price cut) applied to every region';
const RULE_DDB_WRITE = 'dynamodb-list-price: on-demand write request unit $0.625 per million (us-east-1, after the Nov 2024 price cut) applied to every region';
const RULE_TRANSFER_PREFIX = 'transfer-prefix: us-/ca-/eu- regions pay $0.02/GB inter-region (every such row of the matrix does; the Python Caribou hard-codes the same), il- $0.08 (Python Caribou)';
const RULE_TRANSFER_NEAREST = 'transfer-nearest: the inter-region price of the nearest region (great-circle) that has data';

function lambdaPrices(code: string): Record<string, PriceValue> {
  const row = lambdaTable.get(code);
  if (row) {
    return {
      compute_x86_64: { usd: Number(row.duration_x86_usd_per_gb_s), filled: false, source: SRC_REMOTION },
      compute_arm64: { usd: Number(row.duration_arm64_usd_per_gb_s), filled: false, source: SRC_REMOTION },
      request_x86_64: { usd: Number(row.request_x86_usd_per_request), filled: false, source: SRC_REMOTION },
      request_arm64: { usd: Number(row.request_arm64_usd_per_request), filled: false, source: SRC_REMOTION },
    };
  }
  const std = lambdaTable.get('us-east-1')!;
  const exc = lambdaExceptions.get(code);
  const request = (k: string): PriceValue => ({ usd: Number(std[k]), filled: true, rule: exc ? RULE_LAMBDA_REQUEST : RULE_LAMBDA_STANDARD, source: SRC_REMOTION });
  return {
    compute_x86_64: exc
      ? { usd: Number(exc.duration_x86_usd_per_gb_s), filled: false, source: SRC_ARTILLERY }
      : { usd: Number(std.duration_x86_usd_per_gb_s), filled: true, rule: RULE_LAMBDA_STANDARD, source: SRC_REMOTION },
    compute_arm64: exc
      ? { usd: Number(exc.duration_arm64_usd_per_gb_s), filled: false, source: SRC_ARTILLERY }
      : { usd: Number(std.duration_arm64_usd_per_gb_s), filled: true, rule: RULE_LAMBDA_STANDARD, source: SRC_REMOTION },
    request_x86_64: request('request_x86_usd_per_request'),
    request_arm64: request('request_arm64_usd_per_request'),
  };
}

/** The price a region's row of the matrix charges to most destinations, plus its exceptions. */
function transferRow(code: string): { usd: number; exceptions: Record<string, number> } | undefined {
  const row = transferMatrix.get(code);
  if (!row) return undefined;
  const counts = new Map<number, number>();
  for (const [to, v] of row) if (to !== code) counts.set(v, (counts.get(v) ?? 0) + 1);
  const usd = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
  const exceptions: Record<string, number> = {};
  for (const [to, v] of row) if (to !== code && v !== usd && codes.includes(to)) exceptions[to] = v;
  return { usd, exceptions };
}

function interRegion(r: RegionRow): { price: PriceValue; exceptions: Record<string, number> } {
  const own = transferRow(r.code);
  if (own) return { price: { usd: own.usd, filled: false, source: SRC_TRANSFER }, exceptions: own.exceptions };
  if (/^(us|ca|eu)-/.test(r.code)) return { price: { usd: 0.02, filled: true, rule: RULE_TRANSFER_PREFIX, source: 'fill rule' }, exceptions: {} };
  if (/^il-/.test(r.code)) return { price: { usd: 0.08, filled: true, rule: RULE_TRANSFER_PREFIX, source: 'Python Caribou provider collector (hard-coded)' }, exceptions: {} };
  const withData = allRegions.filter((o) => transferMatrix.has(o.code));
  const nearest = withData.sort((a, b) => haversineKm(r, a) - haversineKm(r, b))[0];
  return {
    price: { usd: transferRow(nearest.code)!.usd, filled: true, rule: `${RULE_TRANSFER_NEAREST} (${nearest.code})`, source: SRC_TRANSFER },
    exceptions: {},
  };
}

// ---------------------------------------------------------------------------------------------
// Assemble

interface FilledEntry {
  region: string;
  field: string;
  value: number | string;
  rule: string;
}
const filledList: FilledEntry[] = [];

const snapshotRegions: Record<string, unknown> = {};
for (const r of regions) {
  const lambda = lambdaPrices(r.code);
  const transfer = interRegion(r);
  const internet = egress[r.code];
  if (internet === undefined) fail(`no internet egress price for ${r.code}`);
  const prices: Record<string, PriceValue> = {
    lambda_compute_x86_64: lambda.compute_x86_64,
    lambda_compute_arm64: lambda.compute_arm64,
    lambda_request_x86_64: lambda.request_x86_64,
    lambda_request_arm64: lambda.request_arm64,
    sns_publish: { usd: 0.5e-6, filled: true, rule: RULE_SNS, source: 'fill rule' },
    dynamodb_read_request_unit: { usd: 0.125e-6, filled: true, rule: RULE_DDB_READ, source: 'fill rule' },
    dynamodb_write_request_unit: { usd: 0.625e-6, filled: true, rule: RULE_DDB_WRITE, source: 'fill rule' },
    transfer_inter_region_per_gb: transfer.price,
    transfer_internet_per_gb: { usd: Number(internet), filled: false, source: SRC_EGRESS },
  };
  for (const [k, v] of Object.entries(prices)) if (v.filled) filledList.push({ region: r.code, field: `prices.${k}`, value: v.usd, rule: v.rule! });
  const c = carbon.get(r.code)!;
  snapshotRegions[r.code] = {
    name: r.name,
    latitude: r.latitude,
    longitude: r.longitude,
    grid_zone: r.grid_zone,
    carbon: { zone: c.zone, year: c.year, source: c.file, annual_mean: c.annualMean, missing_source_hours: c.missingHours, profile: c.profile },
    prices,
    transfer_inter_region_exceptions: transfer.exceptions,
  };
}

const snapshot = {
  format: 1,
  description: 'Caribou for TypeScript bundled region data. Generated by scripts/build-data.ts; see README.md. Carbon data: Electricity Maps, ODbL 1.0.',
  units: { carbon: 'gCO2eq/kWh (life-cycle, Electricity Maps)', latency: 'ms round trip (cloudping p50, 1 year to 2025-05-29, symmetrised)', prices: 'USD' },
  latency_model: { kind: 'shifted-lognormal', floor_fraction: 0.9, jitter_fraction: 0.1, jitter_sigma: 0.6 },
  regions: snapshotRegions,
  latency: { regions: codes, rtt_ms: rttMs },
};

fs.mkdirSync(OUT_DIR, { recursive: true });
const json = JSON.stringify(snapshot);
fs.writeFileSync(path.join(OUT_DIR, 'snapshot.json'), json + '\n');

// ---------------------------------------------------------------------------------------------
// README (generated, so the listed fills always match the data)

const yearly: Record<number, any> = {};
for (const y of [2022, 2023, 2024]) yearly[y] = readJson(`carbon/annual/electricitymaps_yearly_${y}.json`);

const carbonRows = regions.map((r) => {
  const c = carbon.get(r.code)!;
  const pub = yearly[c.year]?.[c.zone]?.carbonIntensity?.value;
  return `| ${r.code} | ${r.name} | ${r.latitude}, ${r.longitude} | ${c.zone} | ${c.year} | \`${path.basename(c.file)}\` | ${c.annualMean} | ${pub ?? '—'} | ${c.missingHours} |`;
});
const ruleCounts = new Map<string, number>();
for (const f of filledList) ruleCounts.set(f.rule, (ruleCounts.get(f.rule) ?? 0) + 1);
const ruleSummary = [...ruleCounts.entries()]
  .sort((a, b) => a[0].localeCompare(b[0]))
  .map(([rule, n]) => `* ${n} × ${rule}`)
  .join('\n');
const filledRows = filledList.map((f) => `| ${f.region} | ${f.field} | ${f.value} | ${f.rule} |`);
const maxAsym = Math.max(
  ...codes.flatMap((a) => codes.filter((b) => a < b).map((b) => Math.abs(ping[a][b] - ping[b][a]) / Math.min(ping[a][b], ping[b][a]))),
);

const readme = `# Bundled region data (snapshot)

\`snapshot.json\` is generated by \`npm run data:build\` (\`scripts/build-data.ts\`) from the public data set
assembled in \`../shared/data\` (its \`PROVENANCE.md\` files give repository, path, commit and licence of every
input). It is committed so the project works offline and without that folder. \`snapshot.ts\` is the
synchronous API over it; \`src/collect/\` turns it (or live sources) into Caribou's region tables.

Size: ${(json.length / 1024).toFixed(0)} KB. Regions: ${codes.length}.

## Dates

* Carbon: hourly Electricity Maps data of 2022, 2023 or 2024 per zone (table below); a date of any year reads the
  profile of its month and UTC hour.
* Latency: cloudping p50 over the year ending 2025-05-29.
* Prices: Lambda from AWS's calculator catalogue (as vendored by remotion; agrees with a Price List read of 2026-08-11
  for us-east-2), exception regions from artillery 2.0.28, inter-region transfer matrix published 2023 (file of
  2025-04-04), internet egress verified 2026-05-20. SNS and DynamoDB are list prices after AWS's November 2024
  DynamoDB on-demand price cut.
* Regions: Electricity Maps data-centre list of 2026-07-20, aws-sdk-js-v3 partitions (2025 or later).

## Licences and attribution

* **Carbon intensity: © Electricity Maps, Open Database License (ODbL 1.0).** The hourly profiles below are a
  derived database of Electricity Maps data and are distributed under ODbL 1.0 (share-alike): keep any database
  derived from them under ODbL and attribute "Electricity Maps" (https://www.electricitymaps.com).
  Upstream copies: HewlettPackard/sustain-cluster (2023/2024 exports), jasonm-jones/grid-carbon-intensity (US-NW-PACW 2023),
  umassos/decarbonization-potential (ES 2023; 2022 LCA set of 123 zones), awenlv/hjaklsdfh (CA-QC 2023).
* Region coordinates and grid-zone mapping: electricitymaps/electricitymaps-contrib \`config/data_centers/data_centers.json\`
  (AGPL-3.0 repository; the coordinates are facts); region names: aws/aws-sdk-js-v3 partitions.json (Apache-2.0).
* Latency: cloudping.co p50 over one year ending 2025-05-29 (© cloudping.co; snapshot from oaustegard/oaustegard.github.io, Apache-2.0).
* Prices are AWS list prices (facts) transcribed from: ${SRC_REMOTION}; ${SRC_ARTILLERY}; ${SRC_TRANSFER} (MIT); ${SRC_EGRESS} (MIT, community, verified 2026-05-20).

## Carbon intensity

Life-cycle (LCA) grid intensity, gCO2eq/kWh, Electricity Maps' headline figure. For each region: the zone Electricity
Maps itself maps the AWS region to, and the **newest full year of real hourly data** for that zone (an original
2024/2023 Electricity Maps export when one exists, else the 2022 LCA series of 123 zones, whose hourly timestamps
the data curator inferred and verified, lag 0 h, r = 0.98–1.00). The profile is the mean of every hour of a month at a
given UTC hour: 12 × 24 values. A date maps to the profile cell of its month and UTC hour (the year is ignored).
Blank source hours are left out of the mean (US-NW-PACW 2023 lacks 24 hours on 2023-09-06; that cell
still rests on 29 days), so no carbon value is filled.

| region | name | lat, lon | zone | year | file | annual mean (ours) | EM published yearly | blank source hours |
|---|---|---|---|---|---|---|---|---|
${carbonRows.join('\n')}

Known caveats: us-east-1 and us-east-2 share US-MIDA-PJM (Electricity Maps' mapping; older mappings put us-east-2 in
US-MIDW-MISO). us-west-2 uses Pacificorp West (US-NW-PACW); the Columbia-river data centres could also be read as
US-NW-BPAT (much cleaner). Where "ours" and the published yearly figure differ by more than ~10 % (HK 2022, CH 2022,
IL 2022, IN-WE 2024) the yearly file is a later Electricity Maps release with revised methodology; the profiles keep
the hourly data as exported, unchanged.

## Latency

Cloudping's p50 TCP round trip between Lambda-style probes, over one year ending 2025-05-29. The matrix is
symmetrised: both directions of a pair measure the same round trip, so the stored value is their mean (the
raw asymmetry is at most ${(maxAsym * 100).toFixed(0)} % among bundled regions, e.g. eu-central-2 ↔ il-central-1). The diagonal is cloudping's
intra-region round trip (2–5 ms).

**One-way median** = round trip / 2 (\`latencyMedianS\`).

**Spread model** (\`sampleLatencyS\`): cloudping publishes no percentiles beyond p50 in our data, so the spread is
an assumption, documented here and used everywhere a latency is drawn:

    one_way = m · (0.9 + 0.1 · exp(0.6 · Z)),  Z ~ N(0, 1),  m = median one-way latency

A propagation floor of 90 % of the median (light in fibre cannot go faster) plus a log-normal queueing/jitter part
whose median is 10 % of the median. Its median is exactly m; p5 ≈ 0.94 m, p95 ≈ 1.17 m, p99 ≈ 1.31 m, mean ≈ 1.02 m.
This matches the shape seen in published EC2 ping series (p95/p50 ≈ 1.1–1.4 within a region) and stays within
the [0.7, 1.3] × mean band the Python Caribou clamps its latency fits to, for all but the rare tail.

## Prices (USD)

Per region: Lambda compute per GB-second (x86_64, arm64; first tier, no free tier) and per request, SNS publish per
64 KB request, DynamoDB on-demand read / write request unit, data transfer out per GB to another AWS region
(the price the source region's row of the matrix charges to most regions; exceptions such as
us-east-1 ↔ us-east-2 at $0.01 are kept in \`transfer_inter_region_exceptions\`) and to the internet (first tier).

## Every filled value

Nothing is filled silently: each value below is marked \`filled\` with its rule in \`snapshot.json\`, and the
collectors copy the list into each record's \`filled\` field so solver reports can flag it.

Rules, with how many values each fills:

${ruleSummary}

Risk: a region filled by \`lambda-standard\` may in fact charge more (AWS lists higher Lambda prices in a few
regions; only five such exceptions were in the data). Set \`CARIBOU_PRICE_SOURCE=aws-price-list\` to read the
live AWS Price List, which replaces filled prices region by region.

| region | field | value (USD) | rule |
|---|---|---|---|
${filledRows.join('\n')}

## Regions left out (no real data for them)

| region | why |
|---|---|
${excluded.map((e) => `| ${e.code} | ${e.why} |`).join('\n')}
`;
fs.writeFileSync(path.join(OUT_DIR, 'README.md'), readme);

console.log(`wrote src/data/snapshot.json (${(json.length / 1024).toFixed(0)} KB, ${codes.length} regions, ${filledList.length} filled values) and src/data/README.md`);
console.log(`left out: ${excluded.map((e) => e.code).join(', ')}`);
