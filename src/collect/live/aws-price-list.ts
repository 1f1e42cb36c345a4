/**
 * AWS Price List bulk API: the public per-region offer files
 * `<base>/offers/v1.0/aws/<service>/current/<region>/index.json` (no credentials needed).
 * Parsers for AWSLambda, AmazonSNS, AmazonDynamoDB and AWSDataTransfer.
 */
import * as t from 'io-ts';
import { decodeOrThrow, DecodeError } from '../../model/decode';
import type { FetchLike, PriceListConfig } from '../options';
import { getJson, LiveSourceError } from './http';

const PriceDimension = t.intersection([
  t.type({ unit: t.string, pricePerUnit: t.record(t.string, t.string) }),
  t.partial({ beginRange: t.string, endRange: t.string, description: t.string }),
]);

/** The parts of an offer file we read. */
export const OfferFile = t.type({
  products: t.record(t.string, t.intersection([t.type({ sku: t.string }), t.partial({ productFamily: t.string, attributes: t.record(t.string, t.string) })])),
  terms: t.type({
    OnDemand: t.record(t.string, t.record(t.string, t.type({ priceDimensions: t.record(t.string, PriceDimension) }))),
  }),
});
export type OfferFile = t.TypeOf<typeof OfferFile>;

/** One on-demand price of a product, flattened. */
export interface OfferPrice {
  sku: string;
  productFamily: string;
  attributes: Record<string, string>;
  usd: number;
  beginRange: number;
  unit: string;
}

export type PriceService = 'AWSLambda' | 'AmazonSNS' | 'AmazonDynamoDB' | 'AWSDataTransfer';

/** Decodes an offer file and flattens its on-demand prices; throws LiveSourceError when malformed. */
export function offerPrices(body: unknown, what: string): OfferPrice[] {
  let offer: OfferFile;
  try {
    offer = decodeOrThrow(OfferFile, body, what);
  } catch (e) {
    throw new LiveSourceError(e instanceof DecodeError ? e.message : String(e));
  }
  const out: OfferPrice[] = [];
  for (const [sku, terms] of Object.entries(offer.terms.OnDemand)) {
    const product = offer.products[sku];
    if (!product) continue;
    for (const term of Object.values(terms)) {
      for (const dim of Object.values(term.priceDimensions)) {
        const usd = Number(dim.pricePerUnit.USD);
        if (!Number.isFinite(usd)) continue;
        out.push({ sku, productFamily: product.productFamily ?? '', attributes: product.attributes ?? {}, usd, beginRange: Number(dim.beginRange ?? '0'), unit: dim.unit });
      }
    }
  }
  return out;
}

/** The first paid tier: the lowest begin range with a price > 0 (free tiers have price 0). */
function firstPaidTier(prices: OfferPrice[], what: string): number {
  const paid = prices.filter((p) => p.usd > 0).sort((a, b) => a.beginRange - b.beginRange || b.usd - a.usd);
  if (paid.length === 0) throw new LiveSourceError(`no price found for ${what}`);
  return paid[0].usd;
}

const inRegion = (region: string) => (p: OfferPrice) => p.attributes.regionCode === undefined || p.attributes.regionCode === region;

/** Lambda: USD per GB-second (first tier) and per request, for x86_64 and arm64. */
export function parseLambdaPrices(body: unknown, region: string): { compute: { x86_64: number; arm64: number }; request: { x86_64: number; arm64: number } } {
  const prices = offerPrices(body, `AWSLambda offer for ${region}`).filter(inRegion(region)).filter((p) => p.attributes.location !== 'Any');
  const group = (g: string) => firstPaidTier(prices.filter((p) => p.attributes.group === g), `Lambda ${g} in ${region}`);
  return {
    compute: { x86_64: group('AWS-Lambda-Duration'), arm64: group('AWS-Lambda-Duration-ARM') },
    request: { x86_64: group('AWS-Lambda-Requests'), arm64: group('AWS-Lambda-Requests-ARM') },
  };
}

/** SNS: USD per standard-topic publish request (per 64 KB chunk), the first paid tier. */
export function parseSnsPrice(body: unknown, region: string): number {
  const prices = offerPrices(body, `AmazonSNS offer for ${region}`)
    .filter(inRegion(region))
    .filter((p) => p.productFamily === 'API Request' && /Requests-Tier1$/.test(p.attributes.usagetype ?? ''));
  return firstPaidTier(prices, `SNS publish requests in ${region}`);
}

/** DynamoDB: USD per on-demand read and write request unit (standard table class). */
export function parseDynamoDbPrices(body: unknown, region: string): { read: number; write: number } {
  const prices = offerPrices(body, `AmazonDynamoDB offer for ${region}`)
    .filter(inRegion(region))
    // the Standard-IA table class and replicated writes are priced separately
    .filter((p) => p.productFamily === 'Amazon DynamoDB PayPerRequest Throughput' && !/(^|-)IA-|Repl/.test(p.attributes.usagetype ?? ''));
  return {
    read: firstPaidTier(prices.filter((p) => p.attributes.group === 'DDB-ReadUnits'), `DynamoDB read request units in ${region}`),
    write: firstPaidTier(prices.filter((p) => p.attributes.group === 'DDB-WriteUnits'), `DynamoDB write request units in ${region}`),
  };
}

/**
 * Data transfer out of a region: to the internet (first paid tier) and to other AWS regions (the
 * price most destinations cost, plus destinations priced differently).
 */
export function parseDataTransferPrices(body: unknown, region: string): { internet: number; interRegion: number; exceptions: Record<string, number> } {
  const prices = offerPrices(body, `AWSDataTransfer offer for ${region}`).filter((p) => p.attributes.fromRegionCode === region);
  const internet = firstPaidTier(prices.filter((p) => p.attributes.transferType === 'AWS Outbound'), `internet transfer out of ${region}`);
  const byDest = new Map<string, number>();
  for (const p of prices) {
    if (p.attributes.transferType !== 'InterRegion Outbound' || !p.attributes.toRegionCode || p.attributes.toRegionCode === region) continue;
    const prev = byDest.get(p.attributes.toRegionCode);
    if (p.usd > 0 && (prev === undefined || p.beginRange === 0)) byDest.set(p.attributes.toRegionCode, p.usd);
  }
  if (byDest.size === 0) throw new LiveSourceError(`no inter-region transfer price out of ${region}`);
  const counts = new Map<number, number>();
  for (const v of byDest.values()) counts.set(v, (counts.get(v) ?? 0) + 1);
  const interRegion = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
  const exceptions: Record<string, number> = {};
  for (const [to, v] of byDest) if (v !== interRegion) exceptions[to] = v;
  return { internet, interRegion, exceptions };
}

/** URL of a service's offer file for a region. */
export function offerUrl(cfg: PriceListConfig, service: PriceService, region: string): string {
  return `${cfg.baseUrl}/offers/v1.0/aws/${service}/current/${region}/index.json`;
}

/** Fetches a service's offer file for a region (large files: the timeout is generous). */
export async function fetchOffer(fetch: FetchLike, cfg: PriceListConfig, service: PriceService, region: string, timeoutMs = 60_000): Promise<unknown> {
  return getJson(fetch, offerUrl(cfg, service, region), {}, timeoutMs);
}
