import {
  currentAssignment,
  type ModelHistory,
  type Registry,
  stagesOf,
} from '../../shared/registry/registry.ts';

function when(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

function columns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index]?.length ?? 0)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function renderModel(registry: Registry, history: ModelHistory): string {
  const lines = [`${history.name}${history.deprecated ? ' (deprecated)' : ''}`];
  const current = stagesOf(registry, history.name).map((stage) => {
    const holder = currentAssignment(registry, history.name, stage);
    return [
      `  ${stage}`,
      holder ? `v${holder.version}` : '(none)',
      holder ? when(holder.assignedAt) : '',
      holder?.digest ? holder.digest.slice(0, 12) : '',
      holder?.tag ?? '',
    ];
  });
  if (current.length > 0) lines.push(...columns(['  stage', 'version', 'since', 'digest', 'tag'], current));
  else lines.push('  no stage assigned');
  const events = history.events.map((event) => [
    `  ${when(event.createdAt)}`,
    event.action === 'unassign' ? `${event.stage} (unassigned)` : event.stage,
    event.version ? `v${event.version}` : event.commit.slice(0, 12),
    event.facts['rollback-of'] ? `rollback of ${event.facts['rollback-of']}` : (event.facts.reason ?? ''),
    event.actor,
    event.tag,
  ]);
  const registrations = history.versions.map(
    (version) => `v${version.version}${version.deregistered ? ' (deregistered)' : ''}`,
  );
  lines.push('', `  versions: ${registrations.join(', ') || '(none registered)'}`, '');
  if (events.length > 0)
    lines.push(...columns(['  time', 'stage', 'version', 'reason', 'actor', 'tag'], events));
  return lines.join('\n');
}

/**
 * The text `mlgate registry` prints: for each model, who holds each stage now, then every stage
 * event oldest first (history is never rewritten: a rollback is a new line).
 */
export function renderRegistry(registry: Registry, model?: string): string {
  const histories = [...registry.models.values()]
    .filter((history) => model === undefined || history.name === model)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (histories.length === 0) {
    return model
      ? `No registry tags for ${model}.`
      : 'No registry tags yet: promote a version with `mlgate promote`.';
  }
  return histories.map((history) => renderModel(registry, history)).join('\n\n');
}

/** The registry as JSON-ready data, for `mlgate registry --json`. */
export function registryAsJson(registry: Registry, model?: string): unknown {
  return [...registry.models.values()]
    .filter((history) => model === undefined || history.name === model)
    .map((history) => ({
      model: history.name,
      deprecated: history.deprecated,
      stages: Object.fromEntries(
        stagesOf(registry, history.name).map((stage) => [
          stage,
          currentAssignment(registry, history.name, stage) ?? null,
        ]),
      ),
      versions: history.versions,
      events: history.events,
    }));
}
