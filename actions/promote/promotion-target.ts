import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { sha256File } from '../../shared/fs/sha256.ts';
import type { GateContext } from '../../shared/gate.ts';
import { normalizeVersion } from '../../shared/registry/gto-tag.ts';
import { blobDigest } from '../../shared/registry/model-blob.ts';
import {
  currentAssignment,
  findRegistration,
  type Registry,
  stageHistory,
} from '../../shared/registry/registry.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { loadEvidence } from './evidence-source.ts';
import { repositoryPath, resolveCommit } from './git-lookup.ts';
import type { PromoteOptions } from './inputs.ts';
import { verifyRequiredResults } from './pinned-results.ts';
import { evaluatePolicy, requiredGates } from './policy.ts';
import type { PromoteSettings } from './settings.ts';

export type Context = GateContext<PromoteSettings, PromoteOptions>;

const WithGates = z.object({ gates: z.record(z.string(), z.unknown()).default({}) });

/** The gates configured in mlgate.yml (the context types the config without them: shared knows no gate). */
export function configuredGates(config: unknown): string[] {
  const parsed = WithGates.safeParse(config);
  return parsed.success ? Object.keys(parsed.data.gates) : [];
}

/** What is about to hold the stage, once every check before writing has passed. */
export interface Target {
  version: string;
  digest: string;
  commit: string;
  modelPath: string | undefined;
  evidence: string;
  evidenceSha256: string | undefined;
  rollbackOf: string | undefined;
}

/** Where `gates.promote.stages.<stage>[.<key>]` was written, for check locations. */
export function stageLocation(context: Context, stage: string, key?: string) {
  return context.config.locate(['gates', 'promote', 'stages', stage, ...(key ? [key] : [])]);
}

/** The version that held `stage` before the current holder, as a rollback target. */
export async function rollbackTarget(
  context: Context,
  registry: Registry,
  model: string,
  stage: string,
  repoDir: string | undefined,
  checks: Check[],
): Promise<Target> {
  if (context.options.version) throw new InputError('--rollback chooses the version itself: drop --version');
  const history = stageHistory(registry, model, stage);
  const current = currentAssignment(registry, model, stage);
  if (!current) throw new InputError(`nothing to roll back: no version of ${model} holds ${stage}`);
  const previous = [...history]
    .reverse()
    .find(
      (event) =>
        event.action === 'assign' && event.version !== undefined && event.version !== current.version,
    );
  if (!previous?.version) {
    throw new InputError(
      `nothing to roll back to: ${model} v${current.version} is the only version ${stage} has had`,
    );
  }
  const registration = findRegistration(registry, model, previous.version);
  const digest = registration?.facts.digest ?? previous.facts.digest;
  if (!registration || registration.deregistered || !digest) {
    throw new InputError(
      `cannot roll back to ${model} v${previous.version}: its registration (with digest) is missing`,
    );
  }
  const modelPath = registration.facts['model-path'];
  const stored = repoDir && modelPath ? await blobDigest(repoDir, registration.commit, modelPath) : undefined;
  if (stored !== undefined && stored !== digest) {
    throw new InputError(
      `digest mismatch: ${modelPath} at ${registration.commit.slice(0, 12)} has sha256 ${stored}, registered as ${digest}`,
    );
  }
  checks.push({
    id: 'digest',
    status: stored === undefined ? 'skip' : 'pass',
    message:
      stored === undefined
        ? `the bytes of v${previous.version} are not in this checkout; relying on the registered digest ${digest}`
        : `${modelPath} at ${registration.commit.slice(0, 12)} matches the registered digest`,
    observed: stored,
    expected: digest,
  });
  checks.push({
    id: 'rollback',
    status: 'pass',
    message: `rolling ${stage} back from v${current.version} (${current.tag}) to v${previous.version}, which held it before (${previous.tag})`,
  });
  return {
    version: previous.version,
    digest,
    commit: registration.commit,
    modelPath,
    evidence: previous.facts.evidence ?? registration.facts.evidence ?? previous.tag,
    evidenceSha256: previous.facts['evidence-sha256'] ?? registration.facts['evidence-sha256'],
    rollbackOf: current.tag,
  };
}

/** Checks evidence, bytes and policy for a forward promotion; undefined when the policy refuses. */
export async function promotionTarget(
  context: Context,
  registry: Registry,
  model: string,
  stage: string,
  repoDir: string | undefined,
  checks: Check[],
): Promise<Target | undefined> {
  const { config, options } = context;
  const configured = config.config.model;
  const requested = options.version ?? configured?.version;
  if (!requested) throw new InputError('promote needs --version X.Y.Z (or model.version in mlgate.yml)');
  const version = normalizeVersion(requested);
  if (!version) throw new InputError(`--version ${requested}: expected a semantic version such as 1.2.0`);
  const registration = findRegistration(registry, model, version);
  // Tags outlive this working directory: refer to a local bundle by its path in the repository.
  const loaded = await loadEvidence(options.evidence, {
    out: context.out,
    runtime: context.runtime,
    display: (path) => (repoDir ? repositoryPath(repoDir, path) : config.display(path)),
  });
  const { evidence } = loaded;
  const evidenceVersion = evidence.model.version ? normalizeVersion(evidence.model.version) : undefined;
  if (evidence.model.name !== model || evidenceVersion !== version) {
    throw new InputError(
      `${loaded.reference} is evidence for ${evidence.model.name} ${evidence.model.version ? `v${evidence.model.version}` : '(no version)'}, not ${model} v${version}`,
    );
  }
  // The bytes being promoted: the config's model file when it is this version, else the registered blob.
  const isConfigured =
    configured?.name === model &&
    (configured.version === undefined || normalizeVersion(configured.version) === version);
  let digest: string;
  let modelPath: string | undefined;
  let bytesFrom: string;
  if (isConfigured && configured) {
    const file = config.resolve(configured.path);
    bytesFrom = config.display(file);
    try {
      digest = await sha256File(file);
    } catch {
      throw new InputError('model file not found', config.locate(['model', 'path']));
    }
    if (repoDir) modelPath = repositoryPath(repoDir, file);
  } else if (registration?.facts.digest) {
    modelPath = registration.facts['model-path'];
    const stored =
      repoDir && modelPath ? await blobDigest(repoDir, registration.commit, modelPath) : undefined;
    digest = stored ?? registration.facts.digest;
    bytesFrom = stored
      ? `${modelPath} at ${registration.commit.slice(0, 12)}`
      : `the registration ${registration.tag}`;
  } else {
    throw new InputError(
      `unknown version: ${model} v${version} is not registered, and mlgate.yml's model is ${configured?.name ?? 'unset'}${configured?.version ? ` v${configured.version}` : ''}`,
    );
  }
  if (digest !== evidence.model.sha256) {
    throw new InputError(
      `digest mismatch: ${bytesFrom} has sha256 ${digest}, but ${loaded.reference} was produced for ${evidence.model.sha256}`,
    );
  }
  if (registration?.facts.digest && registration.facts.digest !== digest) {
    throw new InputError(
      `digest mismatch: ${registration.tag} registered sha256 ${registration.facts.digest}; these bytes are ${digest} (a new build needs a new version)`,
    );
  }
  const commit = await resolveTargetCommit(context, registration?.commit ?? evidence.commit, repoDir);
  if (repoDir && modelPath && !registration) {
    // The tag will point at this commit; whoever checks it out later must get these very bytes.
    const stored = await blobDigest(repoDir, commit, modelPath);
    if (stored !== undefined && stored !== digest) {
      throw new InputError(
        `digest mismatch: ${modelPath} differs from the committed file at ${commit.slice(0, 12)}: commit the model before promoting it`,
      );
    }
    if (stored === undefined) modelPath = undefined;
  }
  checks.push({
    id: 'digest',
    status: 'pass',
    message: `${bytesFrom} matches the evidence (sha256 ${digest.slice(0, 12)}…)`,
    observed: digest,
    expected: evidence.model.sha256,
  });
  const policy = context.settings.stages[stage]!;
  const gates = configuredGates(config.config);
  const required = requiredGates(
    policy,
    gates,
    evidence.gates.map((entry) => entry.gate),
  );
  const verified = verifyRequiredResults(loaded, required);
  checks.push(...verified.checks);
  if (verified.checks.some((check) => check.status === 'fail')) return undefined;
  const policyChecks = evaluatePolicy({
    model,
    version,
    stage,
    policy,
    // The policy reads only what the pinned result files say, never the bundle's own account of them.
    evidence: { ...evidence, gates: verified.gates },
    configuredGates: gates,
    registry,
    now: context.now(),
    locate: (key) => stageLocation(context, stage, key),
  });
  checks.push(...policyChecks);
  if (policyChecks.some((check) => check.status === 'fail')) return undefined;
  return {
    version,
    digest,
    commit,
    modelPath,
    evidence: loaded.reference,
    evidenceSha256: loaded.sha256,
    rollbackOf: undefined,
  };
}

async function resolveTargetCommit(
  context: Context,
  preferred: string | undefined,
  repoDir: string | undefined,
) {
  const candidate = preferred ?? (repoDir ? 'HEAD' : context.runtime.context.sha);
  if (!candidate)
    throw new InputError('no commit to tag: run inside a git repository or record commit in the evidence');
  const commit = repoDir ? await resolveCommit(repoDir, candidate) : undefined;
  if (commit) return commit;
  // A shallow CI checkout may lack the commit; GitHub itself refuses a tag on a commit it does not have.
  if (context.runtime.kind === 'github' && /^[0-9a-f]{40}$/.test(candidate)) return candidate;
  throw new InputError(`commit ${candidate} is not in the git repository at ${repoDir ?? '.'}`);
}
