import { z } from 'zod';
import type { InputSpec } from '../../shared/gate.ts';

/** The promote gate's inputs: `--name` on the CLI, `name` in action.yml. */
export const PROMOTE_INPUTS = {
  model: { description: 'the model to promote (default: model.name in mlgate.yml)', valueName: 'NAME' },
  version: { description: 'the version to promote, e.g. 1.1.0 (default: model.version)', valueName: 'X.Y.Z' },
  to: { description: 'the stage to promote to, one of gates.promote.stages', valueName: 'STAGE' },
  reason: { description: 'why, recorded in the tag and the deployment', valueName: 'TEXT' },
  evidence: {
    description:
      'the evidence bundle: a file (default <out>/evidence.json), artifact:NAME, artifact:RUN_ID/NAME or release:TAG',
    valueName: 'SOURCE',
  },
  rollback: { description: 'promote the version that held the stage before the current one', flag: true },
} as const satisfies Record<string, InputSpec>;

/** Where action.yml names an input differently: the dispatch form reads better as "stage" than "to". */
export const ACTION_INPUT_NAMES = { to: 'stage' } as const;

/** The action's outputs beyond status/result/summary. */
export const PROMOTE_OUTPUTS = {
  version: 'version',
  digest: 'digest',
  tag: 'tag',
  deploymentUrl: 'deployment-url',
} as const;

const text = z.string().trim().min(1).optional();

export const PromoteOptions = z.object({
  model: text,
  version: text,
  to: text,
  reason: text,
  evidence: text,
  rollback: z
    .stringbool({ truthy: ['true', 'True', 'TRUE'], falsy: ['false', 'False', 'FALSE'] })
    .optional()
    .transform((value) => value === true),
});
export type PromoteOptions = z.infer<typeof PromoteOptions>;
