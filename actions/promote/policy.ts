import type { SourceLocation } from '../../shared/errors.ts';
import type { Evidence } from '../../shared/evidence/evidence.ts';
import { type Registry, stageHistory } from '../../shared/registry/registry.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { formatDuration, parseDuration } from './duration.ts';
import type { StagePolicy } from './settings.ts';

/** Gates that never count under `requires: all`: this one, and the one that writes the bundle. */
const NOT_REQUIRED_BY_ALL = new Set(['promote', 'model-card']);

export interface PolicyRequest {
  model: string;
  version: string;
  stage: string;
  policy: StagePolicy;
  evidence: Evidence;
  /** The gates configured in mlgate.yml, for `requires: all`. */
  configuredGates: readonly string[];
  registry: Registry;
  now: Date;
  /** Where `gates.promote.stages.<stage>.<key>` was written. */
  locate: (key: string) => SourceLocation;
}

/**
 * The gates a stage requires. `all` means every gate configured in mlgate.yml and every gate the
 * bundle has a result for, so neither a gate left out of the run nor a failing one slips through.
 */
export function requiredGates(
  policy: StagePolicy,
  configuredGates: readonly string[],
  evidenceGates: readonly string[],
): string[] {
  if (policy.requires !== 'all') return [...policy.requires];
  return [...new Set([...configuredGates, ...evidenceGates])].filter(
    (gate) => !NOT_REQUIRED_BY_ALL.has(gate),
  );
}

/** Time spans during which `version` held `stage`, from the stage's history. */
export function holdingSpans(
  registry: Registry,
  model: string,
  stage: string,
  version: string,
  now: Date,
): { from: Date; to: Date; current: boolean }[] {
  const events = stageHistory(registry, model, stage);
  const spans: { from: Date; to: Date; current: boolean }[] = [];
  events.forEach((event, index) => {
    if (event.action !== 'assign' || event.version !== version) return;
    const next = events[index + 1];
    spans.push({ from: event.createdAt, to: next ? next.createdAt : now, current: next === undefined });
  });
  return spans;
}

/**
 * Judges a promotion against the stage's policy. Pure: every fact comes in `request`; the checks say
 * which requirement failed and what would satisfy it.
 */
export function evaluatePolicy(request: PolicyRequest): Check[] {
  const { policy, evidence, stage, version, model } = request;
  const checks: Check[] = [];
  const results = new Map(evidence.gates.map((gate) => [gate.gate, gate]));
  for (const gate of requiredGates(policy, request.configuredGates, [...results.keys()])) {
    const result = results.get(gate);
    const id = `requires.${gate}`;
    const location = request.locate('requires');
    if (!result) {
      checks.push({
        id,
        status: 'fail',
        message: `${stage} requires ${gate}, but the evidence has no ${gate} result: run \`mlgate ${gate}\` before model-card`,
        expected: 'pass',
        observed: 'missing',
        location,
      });
    } else if (result.status === 'pass' || result.status === 'warn') {
      checks.push({
        id,
        status: 'pass',
        message: `${gate}: ${result.status} (${result.summary})`,
        observed: result.status,
      });
    } else {
      checks.push({
        id,
        status: 'fail',
        message: `${stage} requires ${gate} to pass, but it is ${result.status}: ${result.summary}`,
        expected: 'pass',
        observed: result.status,
        location,
      });
    }
  }
  if (policy.after) {
    const spans = holdingSpans(request.registry, model, policy.after, version, request.now);
    const id = `after.${policy.after}`;
    if (spans.length === 0) {
      checks.push({
        id,
        status: 'fail',
        message: `${stage} requires the version to be or have been in ${policy.after}, and ${model} v${version} never was: promote it with --to ${policy.after} first`,
        expected: policy.after,
        observed: 'never',
        location: request.locate('after'),
      });
    } else {
      const current = spans.some((span) => span.current);
      checks.push({
        id,
        status: 'pass',
        message: `${model} v${version} ${current ? 'is' : 'was'} in ${policy.after} (since ${spans[0]?.from.toISOString()})`,
      });
      const minSoak = policy['min-soak'];
      if (minSoak !== undefined) {
        const needed = parseDuration(minSoak) ?? 0;
        const longest = Math.max(...spans.map((span) => span.to.getTime() - span.from.getTime()));
        checks.push({
          id: `min-soak.${policy.after}`,
          status: longest >= needed ? 'pass' : 'fail',
          message:
            longest >= needed
              ? `held ${policy.after} for ${formatDuration(longest)} (at least ${minSoak} required)`
              : `${stage} requires ${minSoak} in ${policy.after} without interruption; ${model} v${version} has ${formatDuration(longest)} so far: wait ${formatDuration(needed - longest)} more`,
          observed: formatDuration(longest),
          expected: minSoak,
          ...(longest >= needed ? {} : { location: request.locate('min-soak') }),
        });
      }
    }
  }
  return checks;
}
