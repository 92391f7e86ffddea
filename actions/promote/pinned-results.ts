import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { type Evidence, type EvidenceGate, evidenceGate } from '../../shared/evidence/evidence.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { GateResult, statusFromChecks } from '../../shared/result/gate-result.ts';

/** A file from beside the evidence bundle, as its source (folder, artifact, release) hands it over. */
export interface SourceFile {
  /** How messages name it: a path, `artifact:NAME/x.json` or `release:TAG/x.json`. */
  where: string;
  bytes: Buffer;
}

/** Reads a file by its name relative to the bundle's folder (`/` separators); undefined when absent. */
export type ReadBeside = (name: string) => Promise<SourceFile | undefined>;

/** What a pinned result turned out to be: the file with the pinned digest, another file, or nothing. */
export type PinnedResult =
  | { found: 'pinned'; file: SourceFile }
  | { found: 'other'; file: SourceFile; sha256: string }
  | { found: 'none'; looked: string[] };

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Where a gate's pinned result may lie beside the bundle: where model-card recorded it, that name alone
 * (release assets are flat), and `<gate>.json`. Names that climb out of the bundle's folder are never
 * followed: the bundle may come from a pull request, and its paths must not reach other files.
 */
function candidateNames(entry: EvidenceGate): string[] {
  const names = [entry.result, entry.result ? posix.basename(entry.result) : undefined, `${entry.gate}.json`];
  const confined = names.filter(
    (name): name is string =>
      name !== undefined && !posix.isAbsolute(name) && !posix.normalize(name).startsWith('..'),
  );
  return [...new Set(confined.map((name) => posix.normalize(name)))];
}

/** Finds the file the bundle pins for one gate: the first candidate with the pinned digest wins. */
async function findPinned(entry: EvidenceGate, read: ReadBeside): Promise<PinnedResult> {
  const names = candidateNames(entry);
  let other: PinnedResult | undefined;
  for (const name of names) {
    const file = await read(name);
    if (!file) continue;
    const sha256 = sha256Of(file.bytes);
    if (sha256 === entry.resultSha256) return { found: 'pinned', file };
    other ??= { found: 'other', file, sha256 };
  }
  return other ?? { found: 'none', looked: names };
}

/**
 * Looks up every result the bundle pins while its source is at hand (an artifact's files live in a
 * temporary folder only while it is being read).
 */
export async function findAllPinned(
  evidence: Evidence,
  read: ReadBeside,
): Promise<Map<string, PinnedResult>> {
  const pinned = new Map<string, PinnedResult>();
  for (const entry of evidence.gates) pinned.set(entry.gate, await findPinned(entry, read));
  return pinned;
}

function parseResult(file: SourceFile): GateResult | string {
  let raw: unknown;
  try {
    raw = JSON.parse(file.bytes.toString('utf8'));
  } catch {
    return `${file.where} is not JSON`;
  }
  const parsed = GateResult.safeParse(raw);
  return parsed.success ? parsed.data : `${file.where} is not an mlgate gate result`;
}

/** Which of the bundle's claims about one gate its result does not bear out, by field name. */
function disagreements(claimed: EvidenceGate, derived: EvidenceGate): string[] {
  const fields = ['gate', 'status', 'summary', 'startedAt', 'checks'] as const;
  return fields.filter((field) => JSON.stringify(claimed[field]) !== JSON.stringify(derived[field]));
}

/**
 * Re-derives one gate's line of the bundle from the result file it pins, so that promote acts on what the
 * gate wrote rather than on what the bundle says it wrote. A fail check (never an exception) for a
 * missing, changed or contradicted result: a bundle that lies is a refused promotion, exit 1. Messages
 * quote the result file, never the bundle's claim.
 */
export function verifyPinnedResult(
  evidence: Evidence,
  entry: EvidenceGate,
  reference: string,
  pinned: PinnedResult,
): { check: Check; derived?: EvidenceGate } {
  const id = `evidence.${entry.gate}`;
  const refuse = (message: string, extra: Partial<Check> = {}) => ({
    check: { id, status: 'fail' as const, message, ...extra },
  });
  if (pinned.found === 'none') {
    return refuse(
      `${reference} pins a ${entry.gate} result (sha256 ${entry.resultSha256}) that is not beside it (looked for ${pinned.looked.join(', ')}): promote re-derives every required status from its result file`,
      { expected: entry.resultSha256, observed: 'missing' },
    );
  }
  if (pinned.found === 'other') {
    return refuse(
      `${pinned.file.where} has sha256 ${pinned.sha256}, not the ${entry.resultSha256} that ${reference} pins: the ${entry.gate} result changed after model-card ran`,
      { expected: entry.resultSha256, observed: pinned.sha256 },
    );
  }
  const { where } = pinned.file;
  const result = parseResult(pinned.file);
  if (typeof result === 'string') return refuse(`${result}, though ${reference} pins it for ${entry.gate}`);
  const fromChecks = statusFromChecks(result.checks);
  if (result.status !== 'error' && result.status !== fromChecks) {
    return refuse(
      `${where} says ${result.status}, but its own checks make it ${fromChecks}: the result was edited`,
      { observed: fromChecks },
    );
  }
  const judged = result.subject.model?.sha256;
  if (judged !== evidence.model.sha256) {
    return refuse(
      `${where} judged model sha256 ${judged ?? '(no model file)'}, not the ${evidence.model.sha256} that ${reference} is for`,
      { expected: evidence.model.sha256, observed: judged ?? null },
    );
  }
  const derived = evidenceGate(result, entry.resultSha256, entry.result);
  const differing = disagreements(entry, derived);
  if (differing.length > 0) {
    return refuse(
      `${reference} misstates the ${entry.gate} result it pins (${differing.join(', ')}): ${where} is ${derived.status}: ${derived.summary}`,
      { observed: derived.status },
    );
  }
  return {
    check: {
      id,
      status: 'pass',
      message: `${entry.gate}: ${derived.status}, re-derived from ${where} (sha256 ${entry.resultSha256.slice(0, 12)}…)`,
      observed: derived.status,
    },
    derived,
  };
}

/**
 * Re-derives the line of every required gate the bundle has (a required gate it lacks is the policy's to
 * refuse). Returns one check per gate and the re-derived lines, which are all the policy gets to read.
 */
export function verifyRequiredResults(
  loaded: { evidence: Evidence; reference: string; pinned: ReadonlyMap<string, PinnedResult> },
  required: readonly string[],
): { checks: Check[]; gates: EvidenceGate[] } {
  const { evidence, reference } = loaded;
  const checks: Check[] = [];
  const gates: EvidenceGate[] = [];
  for (const gate of required) {
    const entries = evidence.gates.filter((entry) => entry.gate === gate);
    if (entries.length > 1) {
      checks.push({
        id: `evidence.${gate}`,
        status: 'fail',
        message: `${reference} lists ${gate} ${entries.length} times: model-card writes one line per gate`,
      });
      continue;
    }
    const [entry] = entries;
    const pinned = loaded.pinned.get(gate);
    if (!entry || !pinned) continue;
    const verified = verifyPinnedResult(evidence, entry, reference, pinned);
    checks.push(verified.check);
    if (verified.derived) gates.push(verified.derived);
  }
  return { checks, gates };
}
