/**
 * Codecs of the round-by-round solve's messages, which cross Lambda boundaries in CaribouCycle:
 * decode them at the handler with decodeOrThrow(codec, event, 'solve state') before use.
 */
import * as t from 'io-ts';
import type { BatchResult, CandidateBatch, SolveState } from './search';

const Packed = t.array(t.number);
const Deployment = t.array(t.number);
const NullableHour = t.union([t.string, t.null]);

const Walk = t.type({
  current: Deployment,
  currentM: Packed,
  bestEver: t.number,
  temperature: t.number,
  iter: t.number,
  iterations: t.number,
  generated: t.number,
  maxCombinations: t.number,
  remembered: t.string,
  bias: t.array(t.number),
  rng: t.number,
});

const HourStateCodec = t.type({
  key: t.string,
  hour: NullableHour,
  phase: t.keyof({ start: null, fine: null, stochastic: null, done: null }),
  home: t.union([Packed, t.null]),
  best: t.union([t.type({ d: Deployment, m: Packed }), t.null]),
  pending: t.array(Deployment),
  cursor: t.number,
  total: t.number,
  walk: t.union([Walk, t.null]),
});

const Options = t.type({
  algorithm: t.keyof({ coarse: null, fine: null, stochastic: null }),
  hours: t.union([t.array(t.string), t.null]),
  runs: t.number,
  tail: t.number,
  seed: t.number,
  batchSize: t.number,
  proposalsPerRound: t.number,
  acceptance: t.keyof({ metropolis: null, caribou: null }),
  iterations: t.number,
  maxFineCombinations: t.number,
  now: t.string,
  expirySeconds: t.number,
});

/** The solve state between rounds. */
export const SolveStateCodec: t.Type<SolveState, SolveState, unknown> = t.type({
  v: t.literal(1),
  workflow_id: t.string,
  fingerprint: t.string,
  options: Options,
  round: t.number,
  evaluations: t.number,
  hours: t.array(HourStateCodec),
});

/** One Monte Carlo batch (the input of one Map iteration). */
export const CandidateBatchCodec: t.Type<CandidateBatch, CandidateBatch, unknown> = t.type({
  workflow_id: t.string,
  fingerprint: t.string,
  runs: t.number,
  tail: t.number,
  seed: t.number,
  hours: t.array(NullableHour),
  items: t.array(t.type({ d: Deployment, at: t.array(t.tuple([t.number, t.number])) })),
});

/** The scores of one batch (the output of one Map iteration). */
export const BatchResultCodec: t.Type<BatchResult, BatchResult, unknown> = t.type({
  items: t.array(t.type({ h: t.number, i: t.number, m: Packed })),
});
