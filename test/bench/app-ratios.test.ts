/**
 * app-export's P1 verdict (bench/lib/app-ratios.ts): net figures subtract the harness of the same
 * round and mode, ratios are taken within a round, and the verdict reads their medians.
 */
import { describe, expect, it } from 'vitest';
import { gross, median, net, p1Verdict, roundRatios, type RoundRun } from '../../bench/lib/app-ratios.ts';

/** A run of `records` records (all delivered unless told) costing `us` µs each. */
function run(contender: string, mode: string, us: number, records = 100_000, delivered = records): RoundRun {
  return { contender, mode, offered: records, delivered, cpuMicros: us * records };
}

describe('app-export ratios', () => {
  it('takes the median of the finite values of odd and even lists, in any order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, NaN, 1, 2])).toBe(2);
    expect(median([NaN, 1, 3, 2])).toBe(2);
    expect(median([NaN])).toBeNaN();
  });

  it('subtracts the harness of the same mode, scaled to the records offered, per delivered record', () => {
    const round = [run('noop', '20k/s', 2), run('noop', 'burst', 0.1), run('logq', '20k/s', 3, 100_000, 80_000)];
    // 3 µs × 100k offered − 2 µs × 100k harness, over 80k delivered.
    expect(net(round[2], round)).toBeCloseTo(100_000 / 80_000, 10);
    expect(gross(round[2])).toBeCloseTo(300_000 / 80_000, 10);
    // No harness run for the mode: the gross figure.
    expect(net(run('logq', '50k/s', 3), round)).toBe(3);
  });

  it('takes ratios within each round and skips rounds missing a contender', () => {
    const rounds = [
      [run('noop', 'm', 1), run('logq', 'm', 2), run('otel', 'm', 5)],
      [run('noop', 'm', 2), run('logq', 'm', 3), run('otel', 'm', 8)],
      [run('noop', 'm', 1), run('otel', 'm', 5)],
    ];
    expect(roundRatios(rounds, 'logq', 'otel', 'm', true)).toEqual([1 / 4, 1 / 6]);
    expect(roundRatios(rounds, 'logq', 'otel', 'm', false)).toEqual([2 / 5, 3 / 8]);
  });

  it('meets P1 on the net medians when the harness is what the counted ratio is made of', () => {
    // Counted: (2 + 1) / (2 + 6) = 0.375 > ⅓; net: 1 / 6 ≤ ⅓ and 1 / 3 ≤ pino's.
    const rounds = [1, 2, 3].map(() => [run('noop', '20k/s', 2), run('logq', '20k/s', 3), run('otel', '20k/s', 8), run('pino', '20k/s', 5)]);
    const v = p1Verdict(rounds, 'logq', '20k/s');
    expect(v.netOfOfficial).toBeCloseTo(1 / 6, 10);
    expect(v.netOfPino).toBeCloseTo(1 / 3, 10);
    expect(v).toMatchObject({ met: true, roundsMet: 3, rounds: 3 });
    expect(roundRatios(rounds, 'logq', 'otel', '20k/s', false)[0]).toBeGreaterThan(1 / 3);
  });

  it('fails P1 when either bound is missed, and counts the rounds that met both', () => {
    // The harness costs 1 µs per record in every round: the ratios below are of the net figures.
    const mk = (logq: number, otel: number, pino: number) => [run('noop', 'm', 1), run('logq', 'm', logq + 1), run('otel', 'm', otel + 1), run('pino', 'm', pino + 1)];
    // Rounds: within both; over ⅓ of official; over pino.
    const rounds = [mk(1, 6, 2), mk(3, 6, 4), mk(1, 6, 0.5)];
    const v = p1Verdict(rounds, 'logq', 'm');
    expect(v.roundsMet).toBe(1);
    expect(v.netOfOfficial).toBeCloseTo(1 / 6, 10);
    expect(v.netOfPino).toBeCloseTo(0.75, 10);
    expect(v.met).toBe(true);
    const worse = p1Verdict([mk(3, 6, 4), mk(3, 6, 4), mk(1, 6, 2)], 'logq', 'm');
    expect(worse).toMatchObject({ met: false, roundsMet: 1 });
    // Without the official exporter there is nothing to judge.
    expect(p1Verdict([[run('logq', 'm', 1)]], 'logq', 'm')).toMatchObject({ met: false, rounds: 0 });
  });

  it('never passes a bound on a baseline no costlier than the harness, one that delivered nothing, or a missing pino run', () => {
    // Official net 0 or below (noise): logq at twice the official's gross cost must not pass.
    const noBase = [run('noop', 'm', 3), run('logq', 'm', 6), run('otel', 'm', 3), run('pino', 'm', 9)];
    const below = [run('noop', 'm', 3), run('logq', 'm', 6), run('otel', 'm', 2.5), run('pino', 'm', 9)];
    expect(p1Verdict([noBase, below], 'logq', 'm')).toMatchObject({ met: false, roundsMet: 0, rounds: 2 });
    expect(p1Verdict([noBase, below], 'logq', 'm').netOfOfficial).toBeNaN();
    // Nothing delivered by the official exporter.
    const none = [run('noop', 'm', 1), run('logq', 'm', 1.5), run('otel', 'm', 5, 100_000, 0), run('pino', 'm', 5)];
    expect(p1Verdict([none], 'logq', 'm')).toMatchObject({ met: false, roundsMet: 0 });
    // Within ⅓ of the official exporter, but pino ran in one round of two: that round alone can meet P1.
    const full = [run('noop', 'm', 1), run('logq', 'm', 2), run('otel', 'm', 7), run('pino', 'm', 4)];
    const noPino = [run('noop', 'm', 1), run('logq', 'm', 2), run('otel', 'm', 7)];
    expect(p1Verdict([full, noPino], 'logq', 'm')).toMatchObject({ met: true, roundsMet: 1, rounds: 2 });
    // No pino run at all: half of P1 is not judged, so it is not met.
    expect(p1Verdict([noPino, noPino], 'logq', 'm')).toMatchObject({ met: false, roundsMet: 0, rounds: 2 });
  });
});
