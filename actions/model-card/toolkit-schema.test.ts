import { describe, expect, it } from 'vitest';
import { ToolkitCardSchema } from './toolkit-schema.ts';

describe('the Model Card Toolkit v0.0.2 schema', () => {
  it('accepts a card as the toolkit writes it', () => {
    const card = {
      schema_version: '0.0.2',
      model_details: {
        name: 'loan-default',
        version: { name: '1.1.0', date: '2026-11-25' },
        licenses: [{ identifier: 'Apache-2.0' }, { custom_text: 'internal use only' }],
        references: [{ reference: 'https://example.com/paper' }],
      },
      quantitative_analysis: {
        performance_metrics: [{ type: 'accuracy', value: 0.79, slice: 'age_band=18-25' }],
      },
      considerations: { users: [{ description: 'credit analysts' }] },
    };
    expect(ToolkitCardSchema.safeParse(card).success).toBe(true);
  });

  it('rejects what the published schema rejects', () => {
    const invalid = [
      { verdict: 'pass' },
      { model_details: { licenses: [{}] } },
      { model_details: { version: { date: '25/11/2026' } } },
      { model_details: { references: [{ reference: 'not a uri' }] } },
      { quantitative_analysis: { performance_metrics: [{ value: 'high' }] } },
    ];
    for (const card of invalid)
      expect(ToolkitCardSchema.safeParse(card).success, JSON.stringify(card)).toBe(false);
  });
});
