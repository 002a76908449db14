/**
 * app-export's ratios and its P1 verdict, from the runs of every round (pure: tested in
 * test/bench/app-ratios.test.ts).
 *
 * P1 is about the CPU a logger costs the app, so its verdict reads the net figures: a contender's
 * CPU minus the `noop` contender's (the harness alone: the pacing timer, the loop-delay monitor, the
 * heap sampler, building the attributes) in the same round and mode, per delivered record. The
 * figures with the harness counted are kept beside them, with the floor (the harness alone ÷ the
 * official exporter): the first ratio a logger that cost nothing would score.
 */

/** One measured run, as app-export records it. */
export interface RoundRun {
  contender: string;
  mode: string;
  offered: number;
  delivered: number;
  cpuMicros: number;
}

/** P1's bounds: ≤ ⅓ of the official exporter's CPU per record and ≤ pino's per call. */
export const P1_OFFICIAL = 1 / 3;
export const P1_PINO = 1;

/** The median of the finite values of a list (NaN when there are none). */
export function median(xs: readonly number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

function find(runs: readonly RoundRun[], contender: string, mode: string): RoundRun | undefined {
  return runs.find((r) => r.contender === contender && r.mode === mode);
}

/** CPU per delivered record, all of it (the harness counted). */
export function gross(r: RoundRun): number {
  return r.cpuMicros / Math.max(1, r.delivered);
}

/**
 * CPU per delivered record minus the harness's own (the `noop` run of the same round and mode,
 * scaled to the records offered); the gross figure when that round has no `noop` run.
 */
export function net(r: RoundRun, round: readonly RoundRun[]): number {
  const h = find(round, 'noop', r.mode);
  return h ? (r.cpuMicros - (h.cpuMicros * r.offered) / Math.max(1, h.offered)) / Math.max(1, r.delivered) : gross(r);
}

/**
 * One contender's CPU per record ÷ a base's, in one round; NaN when the round lacks either, when
 * either delivered nothing, or when the base's cost is not above zero (a net baseline no costlier
 * than the harness, by noise: a ratio to it means nothing, and a negative one must not pass a bound).
 */
export function roundRatio(round: readonly RoundRun[], contender: string, base: string, mode: string, useNet: boolean): number {
  const c = find(round, contender, mode);
  const b = find(round, base, mode);
  if (!c || !b || c.delivered <= 0 || b.delivered <= 0) return NaN;
  const cv = useNet ? net(c, round) : gross(c);
  const bv = useNet ? net(b, round) : gross(b);
  return bv > 0 ? cv / bv : NaN;
}

/** Per-round ratios of one contender against a base, in one mode (rounds missing either are skipped; see {@link roundRatio}). */
export function roundRatios(rounds: readonly (readonly RoundRun[])[], contender: string, base: string, mode: string, useNet: boolean): number[] {
  return rounds.flatMap((round) => (find(round, contender, mode) && find(round, base, mode) ? [roundRatio(round, contender, base, mode, useNet)] : []));
}

/** P1 in one mode for one contender: the medians of the per-round net ratios, and the rounds that met both bounds. */
export interface P1Verdict {
  mode: string;
  contender: string;
  /** Median of net ÷ official over the rounds where it could be taken (NaN when none). */
  netOfOfficial: number;
  /** Median of net ÷ pino over the rounds where it could be taken (NaN when none). */
  netOfPino: number;
  /** Rounds with the contender and the official exporter in which both net ratios were taken and within bounds. */
  roundsMet: number;
  /** Rounds with the contender and the official exporter. */
  rounds: number;
  /**
   * Both medians within bounds. Either half of P1 that could not be judged (no pino run, no usable
   * baseline) leaves it false.
   */
  met: boolean;
}

export function p1Verdict(rounds: readonly (readonly RoundRun[])[], contender: string, mode: string): P1Verdict {
  let roundsMet = 0;
  let counted = 0;
  for (const round of rounds) {
    if (!find(round, contender, mode) || !find(round, 'otel', mode)) continue;
    counted++;
    // NaN (not taken) fails both comparisons.
    if (roundRatio(round, contender, 'otel', mode, true) <= P1_OFFICIAL && roundRatio(round, contender, 'pino', mode, true) <= P1_PINO) roundsMet++;
  }
  const netOfOfficial = median(roundRatios(rounds, contender, 'otel', mode, true));
  const netOfPino = median(roundRatios(rounds, contender, 'pino', mode, true));
  const met = netOfOfficial <= P1_OFFICIAL && netOfPino <= P1_PINO;
  return { mode, contender, netOfOfficial, netOfPino, roundsMet, rounds: counted, met };
}
