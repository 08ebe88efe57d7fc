import { describe, expect, it } from 'vitest';
import { atMost, median, numberFlag, parseFlags, percentile, ratio, ratioInterval, toWidgetFaq, totalBlockingTime, withinFactor } from './stats';

describe("the host-cost comparison's figures", () => {
  it('takes the median of the finite values, the mean of the middle two for an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7, NaN, 1, Infinity])).toBe(4);
    expect(median([])).toBeNaN();
  });

  it('takes percentiles by nearest rank, so a p95 of 20 values is the 19th', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile([3], 95)).toBe(3);
    expect(percentile([NaN, 10, 40], 95)).toBe(40);
  });

  it('brackets a ratio of medians with a bootstrap interval that widens with the scatter', () => {
    const loads = [451, 479, 483, 494, 500, 542, 614, 645, 730, 775, 791];
    const [lo, hi] = ratioInterval(loads, loads);
    // The same scattered set against itself: 1 is inside, and 11 loads cannot tell 1.1 apart.
    expect(lo).toBeLessThan(1);
    expect(hi).toBeGreaterThan(1.1);
    // Twice as slow, with no scatter: the interval is that ratio alone.
    expect(ratioInterval([200, 200, 200], [100, 100, 100])).toEqual([2, 2]);
    // The same samples always print the same interval.
    expect(ratioInterval(loads, loads.map((x) => x * 0.9))).toEqual(ratioInterval(loads, loads.map((x) => x * 0.9)));
    const tight = ratioInterval(loads.map((x) => x * 0.02 + 500), loads.map((x) => x * 0.02 + 500));
    expect(tight[1] - tight[0]).toBeLessThan(hi - lo);
    expect(ratioInterval([NaN], [1])).toEqual([NaN, NaN]);
  });

  it('counts only the part of each long task beyond 50 ms as blocking time', () => {
    expect(totalBlockingTime([30, 50, 51, 120])).toBe(71);
    expect(totalBlockingTime([])).toBe(0);
  });

  it('divides figures, with nothing over nothing as 1 and something over nothing as no ratio', () => {
    expect(ratio(30, 120)).toBe(0.25);
    expect(ratio(0, 0)).toBe(1);
    expect(ratio(5, 0)).toBeNaN();
    expect(ratio(NaN, 3)).toBeNaN();
  });

  it('judges a target only when both figures were measured', () => {
    expect(withinFactor(110, 100, 1.1)).toBe(true);
    expect(withinFactor(111, 100, 1.1)).toBe(false);
    expect(withinFactor(0, 0, 1.2)).toBe(true);
    expect(withinFactor(NaN, 100, 1.1)).toBeUndefined();
    expect(atMost(50, 50)).toBe(true);
    expect(atMost(50.5, 50)).toBe(false);
    expect(atMost(NaN, 50)).toBeUndefined();
  });

  it('reads --name=value flags and refuses a flag that is not a number', () => {
    const flags = parseFlags(['--runs=3', '--quick', 'stray', '--latency=150']);
    expect(numberFlag(flags, 'runs', 5)).toBe(3);
    expect(flags.has('quick')).toBe(true);
    expect(numberFlag(flags, 'latency', 0)).toBe(150);
    expect(numberFlag(flags, 'queries', 20)).toBe(20);
    expect(() => numberFlag(parseFlags(['--runs=many']), 'runs', 5)).toThrow('--runs=many: expected a number ≥ 0');
  });
});

describe('the FAQ handed to the widget', () => {
  it("keeps each article's id, title, body, tags and url, sets the locale, and drops entries without the three strings", () => {
    const raw = [
      { id: 'lg-0', locale: 'xx', title: '住民票', body: '窓口で', tags: ['届出'], extra: 1 },
      { id: 'lg-1', title: 'no body' },
      null,
      { id: 2, title: 't', body: 'b' },
    ];
    expect(toWidgetFaq(raw, 'ja')).toEqual({ articles: [{ id: 'lg-0', locale: 'ja', title: '住民票', body: '窓口で', tags: ['届出'] }], dropped: 3 });
    expect(() => toWidgetFaq({ articles: [] }, 'ja')).toThrow('not a JSON array');
  });
});
