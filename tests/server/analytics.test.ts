/**
 * The pure parts of analytics: period checks, trend buckets, suppression of small groups with
 * complementary cells, and the ANALYTICS_MIN_GROUP_SIZE setting.
 */
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { ValidationError } from '../../server/errors.ts';
import { bucketRanges, parseAnalyticsPeriod } from '../../server/services/analytics-period.ts';
import { protectBreakdown, protectFigure } from '../../server/services/analytics-suppression.ts';

const SHOWN = (value: number) => ({ value, suppressed: false, lessThan: null });
const HIDDEN = { value: null, suppressed: true, lessThan: 5 };

/** Returns the paths of the issues that parsing a period raises, or [] when it is valid. */
function issuesOf(from: string, to: string): string[] {
  try {
    parseAnalyticsPeriod({ from: new Date(from), to: new Date(to), bucket: 'day' });
    return [];
  } catch (error) {
    if (error instanceof ValidationError) {
      return error.issues.map((issue) => issue.path.join('.'));
    }
    throw error;
  }
}

describe('parseAnalyticsPeriod', () => {
  test('accepts 366 days', () => {
    expect(issuesOf('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z')).toEqual([]);
  });

  test('rejects 366 days and a second', () => {
    expect(issuesOf('2024-01-01T00:00:00Z', '2025-01-01T00:00:01Z')).toEqual(['period.to']);
  });

  test('rejects an empty or reversed period', () => {
    expect(issuesOf('2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')).toEqual(['period.to']);
    expect(issuesOf('2025-01-02T00:00:00Z', '2025-01-01T00:00:00Z')).toEqual(['period.to']);
  });

  test('names only the invalid end', () => {
    expect(issuesOf('nonsense', '2025-01-01T00:00:00Z')).toEqual(['period.from']);
    expect(issuesOf('2025-01-01T00:00:00Z', 'nonsense')).toEqual(['period.to']);
  });

  test('puts the previous period before', () => {
    const period = parseAnalyticsPeriod({
      from: new Date('2025-03-10T00:00:00Z'),
      to: new Date('2025-03-17T12:00:00Z'),
      bucket: 'day',
    });
    expect(period.previous.from.toISOString()).toBe('2025-03-02T12:00:00.000Z');
    expect(period.previous.to.toISOString()).toBe('2025-03-10T00:00:00.000Z');
  });
});

describe('bucketRanges', () => {
  const rangesOf = (from: string, to: string, bucket: 'day' | 'week' | 'month') =>
    bucketRanges(parseAnalyticsPeriod({ from: new Date(from), to: new Date(to), bucket })).map(
      (range) => [range.key, range.from.toISOString(), range.to.toISOString()],
    );

  test('starts weeks on Monday', () => {
    // 2025-03-05 is a Wednesday.
    expect(rangesOf('2025-03-05T00:00:00Z', '2025-03-18T00:00:00Z', 'week')).toEqual([
      ['2025-03-03', '2025-03-05T00:00:00.000Z', '2025-03-10T00:00:00.000Z'],
      ['2025-03-10', '2025-03-10T00:00:00.000Z', '2025-03-17T00:00:00.000Z'],
      ['2025-03-17', '2025-03-17T00:00:00.000Z', '2025-03-18T00:00:00.000Z'],
    ]);
  });

  test('cuts months to the period', () => {
    expect(rangesOf('2024-01-31T06:00:00Z', '2024-03-02T00:00:00Z', 'month')).toEqual([
      ['2024-01-01', '2024-01-31T06:00:00.000Z', '2024-02-01T00:00:00.000Z'],
      ['2024-02-01', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
      ['2024-03-01', '2024-03-01T00:00:00.000Z', '2024-03-02T00:00:00.000Z'],
    ]);
  });

  test('splits 366 days into 367 buckets', () => {
    expect(rangesOf('2024-01-01T12:00:00Z', '2025-01-01T12:00:00Z', 'day')).toHaveLength(367);
  });
});

describe('protectFigure', () => {
  test('suppresses groups below the minimum', () => {
    expect(protectFigure({ value: 40, group: 4 }, 5)).toEqual(HIDDEN);
    expect(protectFigure({ value: 0, group: 0 }, 5)).toEqual(HIDDEN);
    expect(protectFigure({ value: 40, group: 5 }, 5)).toEqual(SHOWN(40));
  });
});

describe('protectBreakdown', () => {
  test('suppresses a complementary cell', () => {
    const cells = [
      { value: 4, group: 4 },
      { value: 6, group: 6 },
      { value: 7, group: 7 },
    ];
    expect(protectBreakdown(cells, { value: 17, group: 17 }, 5)).toEqual([
      HIDDEN,
      HIDDEN,
      SHOWN(7),
    ]);
  });

  test('stops once withheld groups reach minimum', () => {
    const cells = [
      { value: 2, group: 2 },
      { value: 3, group: 3 },
      { value: 9, group: 9 },
    ];
    // 2 + 3 people already make the minimum, so the third cell shows.
    expect(protectBreakdown(cells, { value: 14, group: 14 }, 5)).toEqual([
      HIDDEN,
      HIDDEN,
      SHOWN(9),
    ]);
  });

  test('adds cells until groups reach minimum', () => {
    const cells = [
      { value: 1, group: 1 },
      { value: 2, group: 2 },
      { value: 6, group: 6 },
      { value: 8, group: 8 },
    ];
    // 1 + 2 is below 5, so the smallest shown cell, 6, is withheld too.
    expect(protectBreakdown(cells, { value: 17, group: 17 }, 5)).toEqual([
      HIDDEN,
      HIDDEN,
      HIDDEN,
      SHOWN(8),
    ]);
  });

  test('leaves cells when empty ones are withheld', () => {
    const cells = [
      { value: 0, group: 0 },
      { value: 12, group: 12 },
    ];
    expect(protectBreakdown(cells, { value: 12, group: 12 }, 5)).toEqual([HIDDEN, SHOWN(12)]);
  });

  test('adds nothing when the total is withheld', () => {
    const cells = [
      { value: 1, group: 1 },
      { value: 2, group: 2 },
    ];
    expect(protectBreakdown(cells, { value: 3, group: 3 }, 5)).toEqual([HIDDEN, HIDDEN]);
  });
});

describe('ANALYTICS_MIN_GROUP_SIZE', () => {
  test('defaults to 5', () => {
    expect(loadConfig({}).analyticsMinGroupSize).toBe(5);
  });

  test('reads a value from 1 to 100', () => {
    expect(loadConfig({ ANALYTICS_MIN_GROUP_SIZE: '10' }).analyticsMinGroupSize).toBe(10);
    expect(() => loadConfig({ ANALYTICS_MIN_GROUP_SIZE: '0' })).toThrow(
      'ANALYTICS_MIN_GROUP_SIZE "0" is not an integer from 1 to 100.',
    );
  });
});
