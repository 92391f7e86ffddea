import { userInfo } from 'node:os';
import { InputError } from '../../shared/errors.ts';
import { defineGate, type GateReport } from '../../shared/gate.ts';
import { repositoryRoot } from '../../shared/registry/git-tags.ts';
import { gitIdentity, TagExistsError, type Tagger } from '../../shared/registry/git-write.ts';
import { isGtoName } from '../../shared/registry/gto-tag.ts';
import { currentAssignment } from '../../shared/registry/registry.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { environmentProtection, recordDeployment } from './github-deployment.ts';
import { createGitHubStore } from './github-store.ts';
import { PROMOTE_INPUTS, PROMOTE_OUTPUTS, PromoteOptions } from './inputs.ts';
import { createLocalStore } from './local-store.ts';
import { tagsFor } from './promotion-tags.ts';
import { type Context, promotionTarget, rollbackTarget, stageLocation } from './promotion-target.ts';
import type { RecordStore } from './record-store.ts';
import { PromoteSettings } from './settings.ts';

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

/** Checks, then writes the records, then (on GitHub) the Deployment; refusals return before any write. */
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
