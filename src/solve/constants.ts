/**
 * Constants of the solver. Values marked "Caribou" are carried over from the Python
 * Caribou (`caribou/common/constants.py`) so that our figures stay comparable with it;
 * the rest are our own documented defaults.
 */

/** Simulated workflow runs per evaluation (Caribou: 2000, always; its early stop never fired). */
export const DEFAULT_RUNS = 2000;
/** Percentile reported as the tail (Caribou: TAIL_LATENCY_THRESHOLD = 95). */
export const DEFAULT_TAIL_PERCENTILE = 95;

// ---- carbon (Caribou) ----
/** gCO2e/kWh for a region with no grid data, and for a route with an unknown end. */
export const GRID_CARBON_DEFAULT = 410;
/** kWh per GB transmitted (Caribou's "best case" energy factor). */
export const TRANSMISSION_KWH_PER_GB = 0.001;
/** kW per GB of memory. */
export const MEMORY_POWER_DEFAULT = 0.0003725;
/** kW per vCPU, idle and full load. */
export const MIN_CPU_POWER_DEFAULT = 0.00074;
export const MAX_CPU_POWER_DEFAULT = 0.0035;
export const PUE_DEFAULT = 1.11;
/** MB of Lambda memory per vCPU. */
export const MB_PER_VCPU = 1769;
/** CPU utilisation assumed when none was measured. */
export const CPU_UTILIZATION_DEFAULT = 0.5;

// ---- prices, USD (Caribou defaults; used only when the collectors wrote nothing) ----
export const COMPUTE_COST_DEFAULT = 1.66667e-5; // per GB-s
export const INVOCATION_COST_DEFAULT = 2e-7; // per request
export const TRANSMISSION_COST_DEFAULT = 0.09; // per GB
export const SNS_REQUEST_COST_DEFAULT = 0.5e-6; // per 64 KB chunk
export const DYNAMODB_READ_COST_DEFAULT = 0.25e-6; // per read request unit
export const DYNAMODB_WRITE_COST_DEFAULT = 1.25e-6; // per write request unit

// ---- sizes and latencies ----
export const KB_PER_GB = 1024 * 1024;
/** SNS bills one request per 64 KB chunk of payload. */
export const SNS_CHUNK_KB = 64;
/** Size of a control message (join marker, SNS-only trigger, sync response) when none was measured: 1 KB. */
export const SMALL_MESSAGE_GB = 1 / KB_PER_GB;
/** Transfer size assumed for an edge with no measured sizes: 1 KB. */
export const TRANSFER_SIZE_DEFAULT_GB = SMALL_MESSAGE_GB;
/** Ping (s) assumed between regions with no performance data (Caribou: [0.22]). */
export const PING_DEFAULT_S = 0.22;
/** Latency samples are grouped by size rounded up to 10 KB (Caribou). */
export const LATENCY_BUCKET_KB = 10;
/** Caribou multiplies the ping difference by 5 on edges into a join (its upload + counter round trips). */
export const JOIN_PING_MULTIPLIER = 5;
/** Duration (s) assumed for an instance never observed anywhere. */
export const DURATION_DEFAULT_S = 0;

// ---- search ----
/** Fine-grained (exhaustive) search refuses above this many deployments per hour. */
export const FINE_MAX_COMBINATIONS = 20000;
/** Candidates per Monte Carlo batch (one Map iteration / Lambda). */
export const DEFAULT_BATCH_SIZE = 16;
/** Stochastic proposals generated per round (per hour) before their scores are absorbed. */
export const DEFAULT_PROPOSALS_PER_ROUND = 16;
/** How many deployments per hour the stochastic search remembers to avoid re-evaluating (bounds state size). */
export const REMEMBERED_DEPLOYMENTS = 512;
/** Caribou's stochastic parameters. */
export const BIAS_PROBABILITY = 0.2;
export const TEMPERATURE_DECAY = 0.99;
/**
 * Our acceptance rule's scale: a candidate worse than the current one by a fraction Δ of
 * the current value is accepted with probability exp(−Δ / (T · ACCEPT_SCALE)); with T = 1,
 * 5% worse is accepted with probability 1/e.
 */
export const ACCEPT_SCALE = 0.05;
/** Default life of a staged plan (s) when the caller gives none (Caribou's monitor cooldown). */
export const DEFAULT_EXPIRY_SECONDS = 86400;
