import { z } from 'zod';
import { GTO_NAME } from '../../shared/registry/gto-tag.ts';
import { parseDuration } from './duration.ts';

const stageName = z.string().regex(new RegExp(`^${GTO_NAME}$`), {
  error: 'expected a stage name of lowercase letters, digits, "-" or "/" (GTO\'s tag grammar)',
});

const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  error: 'expected a duration such as 30m, 1h, 2d or 1h30m',
});

export const StagePolicy = z.strictObject({
  requires: z
    .union([z.literal('all'), z.array(z.string().min(1))])
    .default([])
    .describe(
      'Gates whose result in the evidence bundle must be pass or warn: a list of gate names, or "all" for every gate configured in mlgate.yml (except promote and model-card, which writes the bundle).',
    ),
  after: stageName
    .optional()
    .describe('A stage the version must hold or have held before it may enter this one (e.g. staging).'),
  'min-soak': duration
    .optional()
    .describe('With `after`: how long the version must have held that stage without interruption, e.g. 1h.'),
  task: z
    .string()
    .min(1)
    .default('deploy')
    .describe(
      'The GitHub Deployment task, e.g. deploy or deploy:canary (how a deploy workflow tells rollouts apart).',
    ),
  'expect-protection': z
    .boolean()
    .optional()
    .describe(
      'Warn when the GitHub environment of this stage has no protection rules (required reviewers, wait timer, branch policy). Defaults to true for a stage named production.',
    ),
});
export type StagePolicy = z.infer<typeof StagePolicy>;

export const PromoteSettings = z.strictObject({
  stages: z
    .record(stageName, StagePolicy)
    .default({
      staging: { requires: [], task: 'deploy' },
      production: { requires: 'all', after: 'staging', task: 'deploy' },
    })
    .describe(
      'The stages a model version can be promoted to, each with the evidence it requires. Each stage is also the GitHub environment its deployments go to.',
    ),
});
export type PromoteSettings = z.infer<typeof PromoteSettings>;
