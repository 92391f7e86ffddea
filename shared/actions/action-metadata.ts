import { z } from 'zod';
import { readValidatedFile } from '../config/yaml-file.ts';

const kebabName = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { error: 'expected a kebab-case name' });

const ActionInput = z.strictObject({
  description: z.string().min(1),
  required: z.boolean().optional(),
  default: z.string().optional(),
  deprecationMessage: z.string().optional(),
});

const ActionOutput = z.strictObject({
  description: z.string().min(1),
  /** Composite actions only: the expression that gives the output its value. */
  value: z.string().optional(),
});

const RunStep = z.strictObject({
  id: z.string().optional(),
  name: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  run: z.string().min(1),
  shell: z.string({ error: 'a run step of a composite action needs `shell:`' }),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  'working-directory': z.string().optional(),
  'continue-on-error': z.union([z.string(), z.boolean()]).optional(),
});

const UsesStep = z.strictObject({
  id: z.string().optional(),
  name: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  uses: z.string().min(1),
  with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  'continue-on-error': z.union([z.string(), z.boolean()]).optional(),
});

export const CompositeStep = z.union([RunStep, UsesStep]);
export type CompositeStep = z.infer<typeof CompositeStep>;

const NodeRuns = z.strictObject({
  using: z.enum(['node20', 'node24']),
  main: z.string().min(1),
  pre: z.string().optional(),
  'pre-if': z.string().optional(),
  post: z.string().optional(),
  'post-if': z.string().optional(),
});

const CompositeRuns = z.strictObject({
  using: z.literal('composite'),
  steps: z.array(CompositeStep).min(1),
});

/**
 * The metadata file of a JavaScript or composite action (`action.yml`), as GitHub documents it
 * ("Metadata syntax for GitHub Actions"), with mlgate's conventions on top: kebab-case input names and
 * a description on every input and output.
 */
export const ActionMetadata = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().min(1),
    author: z.string().optional(),
    inputs: z.record(kebabName, ActionInput).default({}),
    outputs: z.record(z.string(), ActionOutput).default({}),
    runs: z.discriminatedUnion('using', [NodeRuns, CompositeRuns]),
    branding: z.strictObject({ icon: z.string(), color: z.string() }).optional(),
  })
  .superRefine((action, context) => {
    if (action.runs.using !== 'composite') return;
    for (const [name, output] of Object.entries(action.outputs)) {
      if (output.value === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['outputs', name, 'value'],
          message: 'an output of a composite action needs `value:`',
        });
      }
    }
  });
export type ActionMetadata = z.infer<typeof ActionMetadata>;

/** The environment variable through which the runner hands an input to a JavaScript action. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Reads and validates an `action.yml`; a mistake becomes an InputError at its line and column. */
export async function readActionMetadata(file: string, displayName = file): Promise<ActionMetadata> {
  return (await readValidatedFile(file, ActionMetadata, displayName)).value;
}
