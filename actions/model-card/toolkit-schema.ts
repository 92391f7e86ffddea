import { z } from 'zod';

/**
 * Model Card Toolkit's JSON format, schema v0.0.2 (tensorflow/model-card-toolkit,
 * `model_card_toolkit/schema/v0.0.2/model_card.schema.json`), restated as zod from its published
 * definitions: the top level admits no other keys, nested objects may carry more than listed, a license
 * is an SPDX identifier or custom text, dates are YYYY-MM-DD and references are URIs.
 */
const text = z.string();
const uri = z.string().refine((value) => URL.canParse(value), { error: 'expected a URI' });
const graphics = z.looseObject({
  collection: z.array(z.looseObject({ name: text.optional(), image: text.optional() })).optional(),
});
const described = z.array(z.looseObject({}));

export const ToolkitCardSchema = z.strictObject({
  schema_version: text.optional(),
  model_details: z
    .looseObject({
      name: text.optional(),
      overview: text.optional(),
      documentation: text.optional(),
      owners: z.array(z.looseObject({ name: text.optional(), contact: text.optional() })).optional(),
      version: z
        .looseObject({
          name: text.optional(),
          date: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .optional(),
          diff: text.optional(),
        })
        .optional(),
      licenses: z
        .array(
          z.union([
            z.looseObject({ identifier: text, custom_text: z.undefined().optional() }),
            z.looseObject({ custom_text: text, identifier: z.undefined().optional() }),
          ]),
        )
        .optional(),
      references: z.array(z.looseObject({ reference: uri.optional() })).optional(),
      citations: z.array(z.looseObject({ style: text.optional(), citation: text.optional() })).optional(),
    })
    .optional(),
  model_parameters: z
    .looseObject({
      model_architecture: text.optional(),
      data: z
        .array(
          z.looseObject({
            name: text.optional(),
            link: uri.optional(),
            sensitive: z.looseObject({ sensitive_data: z.array(text).optional() }).optional(),
            graphics: graphics.optional(),
          }),
        )
        .optional(),
      input_format: text.optional(),
      output_format: text.optional(),
    })
    .optional(),
  quantitative_analysis: z
    .looseObject({
      performance_metrics: z
        .array(z.looseObject({ type: text.optional(), value: z.number().optional(), slice: text.optional() }))
        .optional(),
      graphics: graphics.optional(),
    })
    .optional(),
  considerations: z
    .looseObject({
      users: described.optional(),
      use_cases: described.optional(),
      limitations: described.optional(),
      tradeoffs: described.optional(),
      ethical_considerations: z
        .array(z.looseObject({ name: text.optional(), mitigation_strategy: text.optional() }))
        .optional(),
    })
    .optional(),
});
