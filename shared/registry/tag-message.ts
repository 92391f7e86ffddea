import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a hex sha256' });

/**
 * The facts mlgate writes into a registry tag's message, below a one-line title, as `key: value` lines
 * (like git trailers, so `git show NAME#production#3` reads well). Tags written by GTO itself carry none
 * of them; every field is therefore optional when reading.
 */
export const TagFacts = z.object({
  /** sha256 of the model file's bytes. */
  digest: Sha256.optional(),
  /** The model file's path inside the repository at the tagged commit, when it is tracked there. */
  'model-path': z.string().min(1).optional(),
  /** Where the evidence bundle came from (`out/evidence.json`, `artifact:NAME`, `release:TAG`). */
  evidence: z.string().min(1).optional(),
  /** sha256 of the evidence bundle's bytes. */
  'evidence-sha256': Sha256.optional(),
  /** Who promoted: the workflow actor, or the local git user. */
  actor: z.string().min(1).optional(),
  reason: z.string().min(1).optional(),
  /** The version, so an assignment does not depend on GTO's commit-to-version lookup. */
  version: z.string().min(1).optional(),
  /** On a rollback: the assignment tag that was rolled back. */
  'rollback-of': z.string().min(1).optional(),
});
export type TagFacts = z.infer<typeof TagFacts>;

const FACT_ORDER = Object.keys(TagFacts.shape) as (keyof TagFacts)[];

/** Renders a tag message: the title, a blank line, then one `key: value` line per fact that is set. */
export function formatTagMessage(title: string, facts: TagFacts): string {
  const lines = FACT_ORDER.flatMap((key) => {
    const value = facts[key];
    // Keys are line-based, so a multi-line reason is folded into one line.
    return value === undefined ? [] : [`${key}: ${value.replace(/\s*\n\s*/g, ' ').trim()}`];
  });
  return `${title.trim()}\n\n${lines.join('\n')}\n`;
}

/**
 * Reads the facts back from a tag message. Unknown keys and lines are ignored (a person may have
 * edited the message); facts that do not parse are dropped rather than failing the whole registry.
 */
export function parseTagMessage(message: string): { title: string; facts: TagFacts } {
  const [title = '', ...rest] = message.split('\n');
  const raw: Record<string, string> = {};
  for (const line of rest) {
    const match = /^([a-z][a-z0-9-]*): (.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined && match[1] in TagFacts.shape) raw[match[1]] = match[2].trim();
  }
  const facts: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = TagFacts.shape[key as keyof TagFacts];
    if (field.safeParse(value).success) facts[key] = value;
  }
  return { title: title.trim(), facts: TagFacts.parse(facts) };
}
