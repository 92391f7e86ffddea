import { z } from 'zod';

/** `gates.model-card` in mlgate.yml. */
export const ModelCardSettings = z.strictObject({
  card: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The user-written card source (YAML, or Markdown with YAML front matter), relative to the config: overview, owners, intended use, out-of-scope use, limitations, ethical considerations, license.',
    ),
  comment: z
    .boolean()
    .default(true)
    .describe(
      'Post or update one sticky comment per model on the pull request (needs a token that can write).',
    ),
  statuses: z
    .boolean()
    .default(true)
    .describe(
      'Set a commit status per gate (context `mlgate/<gate>`) so branch protection can require them.',
    ),
  'artifact-pattern': z
    .string()
    .min(1)
    .optional()
    .describe(
      'Download the workflow artifacts whose names match this pattern (`*` wildcard) and read the gate results in them, for gates that ran as parallel jobs.',
    ),
});
export type ModelCardSettings = z.infer<typeof ModelCardSettings>;
