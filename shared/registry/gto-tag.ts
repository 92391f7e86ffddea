/**
 * GTO's tag grammar (iterative/gto, `gto/constants.py` `tag_re`, `gto/tag.py` `TagTemplates`), so the
 * tags mlgate writes are read by `gto show`/`gto history` and tags GTO writes are read by mlgate.
 *
 * - registration `NAME@vX.Y.Z`, deregistration `NAME@vX.Y.Z!`
 * - stage assignment `NAME#STAGE#N`, unassignment `NAME#STAGE!#N` (N: a counter per model; optional)
 * - deprecation `NAME@deprecated`
 */

/** GTO's artifact and stage names: lowercase letters, digits, `-` and `/`; at least two characters. */
export const GTO_NAME = '[a-z][a-z0-9-/]*[a-z0-9]';
const SEMVER =
  '(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)(?:-(?:(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+(?:[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?';

/** A transcription of GTO's `tag_re` (named groups renamed to JavaScript's rules, same language). */
export const GTO_TAG_PATTERN = new RegExp(
  `^(?<artifact>${GTO_NAME})(((#(?<stage>${GTO_NAME})|@(?<version>v${SEMVER}))(?<cancel>!?))|@((?<deprecated>deprecated)|(?<created>created)))(#(?<counter>[0-9]+))?$`,
);

const NAME_PATTERN = new RegExp(`^${GTO_NAME}$`);
const SEMVER_PATTERN = new RegExp(`^${SEMVER}$`);

/** Whether `value` is a valid GTO artifact or stage name. */
export function isGtoName(value: string): boolean {
  return NAME_PATTERN.test(value);
}

/** Whether `value` is a semantic version without the `v` prefix (`1.2.0`, `2.0.0-rc.1`). */
export function isSemver(value: string): boolean {
  return SEMVER_PATTERN.test(value);
}

/** Accepts `1.2.0` or `v1.2.0` and returns `1.2.0`; undefined if it is not a semantic version. */
export function normalizeVersion(value: string): string | undefined {
  const bare = value.startsWith('v') ? value.slice(1) : value;
  return isSemver(bare) ? bare : undefined;
}

/** What a GTO tag name says, without the tag's message. */
export type GtoTagName =
  | { action: 'register' | 'deregister'; model: string; version: string; counter?: number }
  | { action: 'assign' | 'unassign'; model: string; stage: string; counter?: number }
  | { action: 'deprecate' | 'create'; model: string; counter?: number };

/** Parses a tag name under GTO's grammar; undefined for tags that are not registry tags. */
export function parseGtoTagName(tag: string): GtoTagName | undefined {
  const match = GTO_TAG_PATTERN.exec(tag);
  const groups = match?.groups;
  if (!groups?.artifact) return undefined;
  const model = groups.artifact;
  const counter = groups.counter === undefined ? {} : { counter: Number(groups.counter) };
  const cancelled = groups.cancel === '!';
  if (groups.version) {
    return {
      action: cancelled ? 'deregister' : 'register',
      model,
      version: groups.version.slice(1),
      ...counter,
    };
  }
  if (groups.stage) {
    return { action: cancelled ? 'unassign' : 'assign', model, stage: groups.stage, ...counter };
  }
  return { action: groups.deprecated ? 'deprecate' : 'create', model, ...counter };
}

/** `NAME@vX.Y.Z`: the tag that registers a version (GTO's "simple" registration, no counter). */
export function registrationTagName(model: string, version: string): string {
  return `${model}@v${version}`;
}

/** `NAME#STAGE#N`: the tag that assigns a stage; `counter` is one more than the model's highest. */
export function assignmentTagName(model: string, stage: string, counter: number): string {
  return `${model}#${stage}#${counter}`;
}
