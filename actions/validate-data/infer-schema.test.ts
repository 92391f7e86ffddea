import { describe, expect, it } from 'vitest';
import { type ColumnProfile, columnRules, isIdLike, roundUp, widenedRange } from './infer-schema.ts';

const column = (profile: Partial<ColumnProfile> & Pick<ColumnProfile, 'name' | 'type'>): ColumnProfile => ({
  nonNull: 1000,
  distinct: 10,
  ...profile,
});

describe('an inferred schema a team would keep', () => {
  it('widens ranges to round numbers with headroom, keeping 0 as the floor of non-negative data', () => {
    expect(roundUp(98.75)).toBe(100);
    expect(roundUp(144_999)).toBe(150_000);
    expect(roundUp(0.042)).toBe(0.05);
    expect(widenedRange(18, 79)).toEqual({ min: 0, max: 150 });
    expect(widenedRange(300, 850)).toEqual({ min: 0, max: 1500 });
    expect(widenedRange(0.02, 0.97)).toEqual({ min: 0, max: 1 });
    expect(widenedRange(-3.2, 2.9)).toEqual({ min: -10, max: 10 });
    expect(columnRules(column({ name: 'age', type: 'integer', min: 18, max: 79 }), 1000)).toEqual({
      rule: { type: 'integer', nullable: false, min: 0, max: 150 },
      note: 'observed 18 to 79',
    });
  });

  it('declares unique only for id-like integer and text columns', () => {
    expect(['id', 'user_id', 'orderId', 'session-key', 'uuid'].filter(isIdLike)).toHaveLength(5);
    expect(['idea', 'paid', 'width', 'monkey'].filter(isIdLike)).toEqual([]);
    const distinct = { nonNull: 1000, distinct: 1000 };
    // No range for an id: new ids continue past the last one.
    expect(
      columnRules(column({ name: 'user_id', type: 'integer', ...distinct, min: 1, max: 1000 }), 1000),
    ).toEqual({
      rule: { type: 'integer', nullable: false, unique: true },
      note: 'observed 1 to 1000',
    });
    expect(
      columnRules(column({ name: 'income', type: 'number', ...distinct, min: 1, max: 9 }), 1000).rule,
    ).not.toHaveProperty('unique');
  });

  it('makes an enum only of clearly categorical text, and says what it saw otherwise', () => {
    const common = column({
      name: 'region',
      type: 'string',
      counts: [
        { value: 'north', count: 600 },
        { value: 'south', count: 400 },
      ],
    });
    expect(columnRules(common, 1000).rule.enum).toEqual(['north', 'south']);
    const rare = column({
      name: 'plan',
      type: 'string',
      nonNull: 990,
      counts: [
        { value: 'basic', count: 988 },
        { value: 'gold', count: 2 },
      ],
    });
    expect(columnRules(rare, 1000)).toEqual({
      rule: { type: 'string' },
      note: 'seen: basic (988), gold (2); too rare for an enum',
    });
  });

  it('leaves dates open, with the observed range in the comment', () => {
    expect(
      columnRules(column({ name: 'signup', type: 'date', min: '2026-01-01', max: '2026-06-30' }), 1000),
    ).toEqual({ rule: { type: 'date', nullable: false }, note: 'observed 2026-01-01 to 2026-06-30' });
  });
});
