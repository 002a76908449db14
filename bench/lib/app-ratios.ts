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

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
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

/** Per-round ratios of one contender against a base, in one mode (rounds missing either are skipped). */
export function roundRatios(rounds: readonly (readonly RoundRun[])[], contender: string, base: string, mode: string, useNet: boolean): number[] {
  return rounds.flatMap((round) => {
    const c = find(round, contender, mode);
    const b = find(round, base, mode);
    if (!c || !b) return [];
    return [useNet ? net(c, round) / net(b, round) : gross(c) / gross(b)];
  });
}

/** P1 in one mode for one contender: the medians of the per-round net ratios, and the rounds that met both bounds. */
export interface P1Verdict {
  mode: string;
  contender: string;
  /** Median of net ÷ official (NaN when the official exporter did not run). */
  netOfOfficial: number;
  /** Median of net ÷ pino (NaN when pino did not run). */
  netOfPino: number;
  /** Rounds in which both net ratios that could be taken were within bounds. */
  roundsMet: number;
  rounds: number;
  /** Both medians within bounds (a missing baseline is not judged: `met` is false with no official run). */
  met: boolean;
}

export function p1Verdict(rounds: readonly (readonly RoundRun[])[], contender: string, mode: string): P1Verdict {
  let roundsMet = 0;
  let counted = 0;
  for (const round of rounds) {
    const c = find(round, contender, mode);
    const o = find(round, 'otel', mode);
    if (!c || !o) continue;
    counted++;
    const p = find(round, 'pino', mode);
    const okOfficial = net(c, round) / net(o, round) <= P1_OFFICIAL;
    const okPino = !p || net(c, round) / net(p, round) <= P1_PINO;
    if (okOfficial && okPino) roundsMet++;
  }
  const of = roundRatios(rounds, contender, 'otel', mode, true);
  const op = roundRatios(rounds, contender, 'pino', mode, true);
  const netOfOfficial = of.length ? median(of) : NaN;
  const netOfPino = op.length ? median(op) : NaN;
  const met = of.length > 0 && netOfOfficial <= P1_OFFICIAL && (op.length === 0 || netOfPino <= P1_PINO);
  return { mode, contender, netOfOfficial, netOfPino, roundsMet, rounds: counted, met };
}
