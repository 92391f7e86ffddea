import { parseGtoTagName } from './gto-tag.ts';
import { parseTagMessage, type TagFacts } from './tag-message.ts';

/** One annotated tag as stored in git (or read through GitHub's Git database API). */
export interface TagRecord {
  /** The tag's name, e.g. `loan-default#production#3`. */
  name: string;
  /** The tag object's id. */
  object: string;
  /** The commit the tag points to (peeled). */
  commit: string;
  tagger: { name: string; email: string; date: Date };
  message: string;
}

/** A version registration (`NAME@vX.Y.Z`). */
export interface Registration {
  model: string;
  /** Semantic version without the `v`. */
  version: string;
  tag: string;
  /** The tag object's id (what a compare-and-swap checks the ref still points to). */
  object: string;
  commit: string;
  createdAt: Date;
  actor: string;
  facts: TagFacts;
  /** Set when a later `NAME@vX.Y.Z!` tag deregistered the version. */
  deregistered?: boolean;
}

/** A stage assignment (`NAME#STAGE#N`) or unassignment (`NAME#STAGE!#N`), in history order. */
export interface StageEvent {
  action: 'assign' | 'unassign';
  model: string;
  stage: string;
  /** The version, from the message or (GTO's rule) from the registration at the same commit. */
  version: string | undefined;
  /** GTO's per-model counter; absent on GTO's "simple" tags (`NAME#STAGE`). */
  counter?: number;
  tag: string;
  commit: string;
  createdAt: Date;
  actor: string;
  facts: TagFacts;
}

/** Everything the registry knows about one model. */
export interface ModelHistory {
  name: string;
  /** Registrations, oldest first. */
  versions: Registration[];
  /** Stage assignments and unassignments, oldest first. */
  events: StageEvent[];
  /** Set when a `NAME@deprecated` tag exists. */
  deprecated: boolean;
  /** The highest counter on any of the model's tags (0 when none): the next assignment uses one more. */
  highestCounter: number;
}

/** The model registry as recorded in tags. */
export interface Registry {
  models: Map<string, ModelHistory>;
}

/** Who holds a stage now: what the benchmark's `baseline: { stage }` and `promote` read. */
export interface CurrentAssignment {
  version: string;
  /** The commit the version was registered at. */
  commit: string;
  /** sha256 of the model bytes, when the tags record it (mlgate's do). */
  digest: string | undefined;
  /** The model's path inside the repository at `commit`, when recorded: `git show COMMIT:PATH`. */
  modelPath: string | undefined;
  /** The assignment tag and when it was made. */
  tag: string;
  assignedAt: Date;
  facts: TagFacts;
}

function actorOf(record: TagRecord, facts: TagFacts): string {
  return facts.actor ?? record.tagger.name;
}

function historyOf(models: Map<string, ModelHistory>, name: string): ModelHistory {
  let history = models.get(name);
  if (!history) {
    history = { name, versions: [], events: [], deprecated: false, highestCounter: 0 };
    models.set(name, history);
  }
  return history;
}

/** GTO orders by tag time; mlgate's counters break ties within a second and survive clock skew. */
function eventOrder(a: StageEvent, b: StageEvent): number {
  if (a.counter !== undefined && b.counter !== undefined && a.counter !== b.counter)
    return a.counter - b.counter;
  return a.createdAt.getTime() - b.createdAt.getTime() || a.tag.localeCompare(b.tag);
}

/**
 * Builds the registry from annotated tags. Tags outside GTO's grammar are ignored, as GTO ignores
 * them; an assignment's version comes from its message, else from the registration at its commit.
 */
export function buildRegistry(records: readonly TagRecord[]): Registry {
  const models = new Map<string, ModelHistory>();
  const stageRecords: {
    record: TagRecord;
    parsed: { action: 'assign' | 'unassign'; stage: string; counter?: number };
  }[] = [];
  const sorted = [...records].sort((a, b) => a.tagger.date.getTime() - b.tagger.date.getTime());
  for (const record of sorted) {
    const parsed = parseGtoTagName(record.name);
    if (!parsed) continue;
    const history = historyOf(models, parsed.model);
    if (parsed.counter !== undefined)
      history.highestCounter = Math.max(history.highestCounter, parsed.counter);
    const { facts } = parseTagMessage(record.message);
    if (parsed.action === 'register') {
      history.versions.push({
        model: parsed.model,
        version: parsed.version,
        tag: record.name,
        object: record.object,
        commit: record.commit,
        createdAt: record.tagger.date,
        actor: actorOf(record, facts),
        facts,
      });
    } else if (parsed.action === 'deregister') {
      for (const version of history.versions)
        if (version.version === parsed.version) version.deregistered = true;
    } else if (parsed.action === 'deprecate') {
      history.deprecated = true;
    } else if (parsed.action === 'assign' || parsed.action === 'unassign') {
      stageRecords.push({ record, parsed });
    }
  }
  for (const { record, parsed } of stageRecords) {
    const model = parseGtoTagName(record.name)?.model ?? '';
    const history = historyOf(models, model);
    const { facts } = parseTagMessage(record.message);
    const byCommit = history.versions.filter((version) => version.commit === record.commit);
    history.events.push({
      action: parsed.action,
      model,
      stage: parsed.stage,
      version: facts.version ?? (byCommit.length === 1 ? byCommit[0]?.version : undefined),
      ...(parsed.counter === undefined ? {} : { counter: parsed.counter }),
      tag: record.name,
      commit: record.commit,
      createdAt: record.tagger.date,
      actor: actorOf(record, facts),
      facts,
    });
  }
  for (const history of models.values()) history.events.sort(eventOrder);
  return { models };
}

/** The registration of `version` of `model`, if any. */
export function findRegistration(
  registry: Registry,
  model: string,
  version: string,
): Registration | undefined {
  return registry.models.get(model)?.versions.find((candidate) => candidate.version === version);
}

/** Assignments and unassignments of one stage of a model, oldest first. */
export function stageHistory(registry: Registry, model: string, stage: string): StageEvent[] {
  return registry.models.get(model)?.events.filter((event) => event.stage === stage) ?? [];
}

/**
 * The version that holds `stage` of `model` now: the latest assignment, unless a later unassignment of
 * that version cleared the stage (GTO's default of one version per stage). Undefined if none holds it.
 */
export function currentAssignment(
  registry: Registry,
  model: string,
  stage: string,
): CurrentAssignment | undefined {
  const events = stageHistory(registry, model, stage);
  const last = events.at(-1);
  if (last?.action !== 'assign' || last.version === undefined) return undefined;
  const registration = findRegistration(registry, model, last.version);
  return {
    version: last.version,
    commit: registration?.commit ?? last.commit,
    digest: last.facts.digest ?? registration?.facts.digest,
    modelPath: registration?.facts['model-path'] ?? last.facts['model-path'],
    tag: last.tag,
    assignedAt: last.createdAt,
    facts: last.facts,
  };
}

/** Every stage a model has ever had, in order of first assignment. */
export function stagesOf(registry: Registry, model: string): string[] {
  const stages: string[] = [];
  for (const event of registry.models.get(model)?.events ?? [])
    if (!stages.includes(event.stage)) stages.push(event.stage);
  return stages;
}
