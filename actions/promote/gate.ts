import { userInfo } from 'node:os';
import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { sha256File } from '../../shared/fs/sha256.ts';
import { defineGate, type GateContext, type GateReport } from '../../shared/gate.ts';
import { repositoryRoot } from '../../shared/registry/git-tags.ts';
import { gitIdentity, TagExistsError, type Tagger } from '../../shared/registry/git-write.ts';
import {
  assignmentTagName,
  isGtoName,
  normalizeVersion,
  registrationTagName,
} from '../../shared/registry/gto-tag.ts';
import { blobDigest } from '../../shared/registry/model-blob.ts';
import {
  currentAssignment,
  findRegistration,
  type Registry,
  stageHistory,
} from '../../shared/registry/registry.ts';
import { formatTagMessage, type TagFacts } from '../../shared/registry/tag-message.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { loadEvidence } from './evidence-source.ts';
import { repositoryPath, resolveCommit } from './git-lookup.ts';
import { environmentProtection, recordDeployment } from './github-deployment.ts';
import { createGitHubStore } from './github-store.ts';
import { PROMOTE_INPUTS, PROMOTE_OUTPUTS, PromoteOptions } from './inputs.ts';
import { createLocalStore } from './local-store.ts';
import { evaluatePolicy } from './policy.ts';
import type { PromotionTags, RecordStore } from './record-store.ts';
import { PromoteSettings } from './settings.ts';

type Context = GateContext<PromoteSettings, PromoteOptions>;

const WithGates = z.object({ gates: z.record(z.string(), z.unknown()).default({}) });

/** The gates configured in mlgate.yml (the context types the config without them: shared knows no gate). */
function configuredGates(config: unknown): string[] {
  const parsed = WithGates.safeParse(config);
  return parsed.success ? Object.keys(parsed.data.gates) : [];
}

/** What is about to hold the stage, once every check before writing has passed. */
interface Target {
  version: string;
  digest: string;
  commit: string;
  modelPath: string | undefined;
  evidence: string;
  evidenceSha256: string | undefined;
  rollbackOf: string | undefined;
}

function stageLocation(context: Context, stage: string, key?: string) {
  return context.config.locate(['gates', 'promote', 'stages', stage, ...(key ? [key] : [])]);
}

function resolveStage(context: Context): string {
  const stage = context.options.to;
  const stages = Object.keys(context.settings.stages);
  if (!stage) throw new InputError(`promote needs --to STAGE (one of ${stages.join(', ')})`);
  if (!(stage in context.settings.stages)) {
    throw new InputError(
      `stage "${stage}" is not in gates.promote.stages (${stages.join(', ')})`,
      context.config.locate(['gates', 'promote', 'stages']),
    );
  }
  return stage;
}

function resolveModel(context: Context): string {
  const model = context.options.model ?? context.config.config.model?.name;
  if (!model) throw new InputError('promote needs --model NAME (or model.name in mlgate.yml)');
  if (!isGtoName(model)) {
    throw new InputError(
      `model name "${model}" cannot be a registry tag: use lowercase letters, digits, "-" or "/" (GTO's grammar)`,
    );
  }
  return model;
}

async function actorAndTagger(context: Context, repoDir: string | undefined, now: Date) {
  const identity = repoDir ? await gitIdentity(repoDir) : undefined;
  const actor = context.runtime.context.actor ?? identity?.name ?? userInfo().username;
  const tagger: Tagger =
    context.runtime.kind === 'github'
      ? { name: `${actor} via mlgate`, email: `${actor}@users.noreply.github.com`, date: now }
      : { name: identity?.name ?? actor, email: identity?.email ?? `${actor}@localhost`, date: now };
  return { actor, tagger };
}

/** The version that held `stage` before the current holder, as a rollback target. */
async function rollbackTarget(
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
async function promotionTarget(
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
  const policyChecks = evaluatePolicy({
    model,
    version,
    stage,
    policy: context.settings.stages[stage]!,
    evidence,
    configuredGates: configuredGates(config.config),
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

function tagsFor(
  registry: Registry,
  model: string,
  stage: string,
  target: Target,
  actor: string,
  reason: string | undefined,
): PromotionTags {
  const registration = findRegistration(registry, model, target.version);
  const facts: TagFacts = {
    digest: target.digest,
    ...(target.modelPath ? { 'model-path': target.modelPath } : {}),
    evidence: target.evidence,
    ...(target.evidenceSha256 ? { 'evidence-sha256': target.evidenceSha256 } : {}),
    actor,
    ...(reason ? { reason } : {}),
    version: target.version,
    ...(target.rollbackOf ? { 'rollback-of': target.rollbackOf } : {}),
  };
  const counter = (registry.models.get(model)?.highestCounter ?? 0) + 1;
  const verb = target.rollbackOf ? 'Roll back' : 'Promote';
  return {
    registration: registration
      ? undefined
      : {
          name: registrationTagName(model, target.version),
          commit: target.commit,
          message: formatTagMessage(`Register ${model} v${target.version}`, {
            ...facts,
            'rollback-of': undefined,
          }),
        },
    existingRegistration: registration ? { name: registration.tag, object: registration.object } : undefined,
    assignment: {
      name: assignmentTagName(model, stage, counter),
      commit: registration?.commit ?? target.commit,
      message: formatTagMessage(`${verb} ${model} v${target.version} to ${stage}`, facts),
    },
  };
}

async function run(context: Context): Promise<GateReport> {
  const { runtime } = context;
  const model = resolveModel(context);
  const stage = resolveStage(context);
  const policy = context.settings.stages[stage]!;
  const repository = runtime.context.repository;
  let store: RecordStore;
  let repoDir: string | undefined;
  if (runtime.kind === 'github') {
    if (!runtime.github || !repository) {
      throw new InputError('promote on GitHub needs a token (input token) and GITHUB_REPOSITORY');
    }
    store = createGitHubStore(runtime.github, repository);
    // The checkout, when it has history, lets a rollback verify the old model bytes.
    repoDir = await repositoryRoot(context.config.dir).catch(() => undefined);
  } else {
    repoDir = await repositoryRoot(context.config.dir);
    store = createLocalStore(repoDir);
  }
  const registry = await store.read(model);
  const checks: Check[] = [];
  const target = context.options.rollback
    ? await rollbackTarget(context, registry, model, stage, repoDir, checks)
    : await promotionTarget(context, registry, model, stage, repoDir, checks);
  if (!target) {
    const failed = checks.filter((check) => check.status === 'fail');
    return {
      summary: `refused: ${model} cannot enter ${stage}: ${failed.map((check) => check.message).join('; ')}`,
      checks,
    };
  }
  const now = context.now();
  const { actor, tagger } = await actorAndTagger(context, repoDir, now);
  const current = currentAssignment(registry, model, stage);
  let assignmentTag: string;
  let summary: string;
  if (current?.version === target.version) {
    assignmentTag = current.tag;
    summary = `${model} v${target.version} already holds ${stage} (${current.tag}): nothing to do`;
    checks.push({ id: 'records', status: 'pass', message: summary, observed: current.tag });
  } else {
    const tags = tagsFor(registry, model, stage, target, actor, context.options.reason);
    try {
      await store.write(tags, tagger);
    } catch (error) {
      if (!(error instanceof TagExistsError)) throw error;
      const message = `another promotion of ${model} wrote ${error.tag} first, in ${store.description}; this one wrote no stage assignment. Run it again to promote on top of the new state.`;
      checks.push({ id: 'records', status: 'fail', message, observed: error.tag });
      return { summary: `lost a race: ${message}`, checks };
    }
    assignmentTag = tags.assignment.name;
    const written = [tags.registration?.name, tags.assignment.name].filter(Boolean).join(' and ');
    summary = target.rollbackOf
      ? `rolled ${stage} back to ${model} v${target.version} (${written})`
      : `promoted ${model} v${target.version} to ${stage} (${written})`;
    checks.push({
      id: 'records',
      status: 'pass',
      message: `wrote ${written} in ${store.description}`,
      observed: tags.assignment.name,
    });
  }
  let deploymentUrl: string | undefined;
  if (runtime.kind === 'github' && runtime.github && repository) {
    const deployment = await recordDeployment(runtime.github, repository, {
      environment: stage,
      task: policy.task,
      commit: target.commit,
      production: stage === 'production',
      description: `${model} v${target.version}${context.options.reason ? `: ${context.options.reason}` : ''}`,
      logUrl: runtime.context.runUrl,
      payload: {
        model,
        version: target.version,
        digest: target.digest,
        evidence: target.evidence,
        ...(target.evidenceSha256 ? { 'evidence-sha256': target.evidenceSha256 } : {}),
        tag: assignmentTag,
        ...(target.rollbackOf ? { 'rollback-of': target.rollbackOf } : {}),
      },
    });
    deploymentUrl = deployment.url;
    checks.push({
      id: 'deployment',
      status: 'pass',
      message: `${deployment.created ? 'created' : 'kept'} deployment ${deployment.id} to environment ${stage} (task ${policy.task}) with a success status`,
      observed: deployment.url,
    });
    if (policy['expect-protection'] ?? stage === 'production') {
      const protection = await environmentProtection(runtime.github, repository, stage);
      checks.push({
        id: 'environment-protection',
        status: protection.rules.length > 0 ? 'pass' : 'warn',
        message:
          protection.rules.length > 0
            ? `environment ${stage} is protected (${protection.rules.join(', ')})`
            : `environment ${stage} has no protection rules: anyone who can run this workflow can promote to it. Add required reviewers in Settings → Environments → ${stage}`,
        location: stageLocation(context, stage),
      });
    }
  }
  runtime.setOutput(PROMOTE_OUTPUTS.version, target.version);
  runtime.setOutput(PROMOTE_OUTPUTS.digest, target.digest);
  runtime.setOutput(PROMOTE_OUTPUTS.tag, assignmentTag);
  if (deploymentUrl) runtime.setOutput(PROMOTE_OUTPUTS.deploymentUrl, deploymentUrl);
  return {
    summary,
    checks,
    details: {
      model,
      stage,
      version: target.version,
      digest: target.digest,
      tag: assignmentTag,
      evidence: target.evidence,
      ...(deploymentUrl ? { deploymentUrl } : {}),
    },
  };
}

/** The manual gate that moves a model version into a stage on verified evidence and records it. */
export const promoteGate = defineGate({
  name: 'promote',
  description: 'promote a model version to a stage on verified evidence; record it in tags and deployments',
  settings: PromoteSettings,
  inputs: PROMOTE_INPUTS,
  options: PromoteOptions,
  needsModel: false,
  run,
});
