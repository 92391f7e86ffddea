import { describe, expect, it } from 'vitest';
import { EVIDENCE_SCHEMA, type Evidence } from '../../shared/evidence/evidence.ts';
import { buildRegistry, type TagRecord } from '../../shared/registry/registry.ts';
import { formatTagMessage } from '../../shared/registry/tag-message.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { evaluatePolicy, requiredGates } from './policy.ts';
import { StagePolicy } from './settings.ts';

const evidence = (gates: Record<string, Evidence['verdict']>): Evidence => ({
  schema: EVIDENCE_SCHEMA,
  createdAt: '2026-11-24T10:00:00.000Z',
  tool: { name: 'mlgate', version: '0.1.0' },
  model: {
    name: 'm1',
    version: '1.0.0',
    path: 'm.onnx',
    sha256: 'a'.repeat(64),
    sizeBytes: 1,
    onnx: { opsets: [], inputs: [], outputs: [] },
  },
  datasets: [],
  gates: Object.entries(gates).map(([gate, status]) => ({
    gate,
    status,
    summary: status,
    startedAt: '2026-11-24T10:00:00.000Z',
    resultSha256: 'b'.repeat(64),
    checks: { pass: 0, warn: 0, fail: 0, error: 0, skip: 0 },
  })),
  verdict: 'pass',
});

const assign = (stage: string, version: string, counter: number, minute: number): TagRecord => ({
  name: `m1#${stage}#${counter}`,
  object: `o${counter}`,
  commit: 'c'.repeat(40),
  tagger: { name: 't', email: 't@t', date: new Date(Date.UTC(2026, 10, 24, 10, minute)) },
  message: formatTagMessage('x', { version }),
});

const request = (
  policy: unknown,
  gates: Record<string, Evidence['verdict']>,
  records: TagRecord[],
  minute: number,
) => ({
  model: 'm1',
  version: '1.0.0',
  stage: 'production',
  policy: StagePolicy.parse(policy),
  evidence: evidence(gates),
  configuredGates: ['validate-data', 'benchmark', 'promote', 'model-card'],
  registry: buildRegistry(records),
  now: new Date(Date.UTC(2026, 10, 24, 10, minute)),
  locate: () => ({ file: 'mlgate.yml', line: 3 }),
});

describe('stage policy', () => {
  it('expands "all" to configured gates and every gate in the bundle, but not promote or model-card', () => {
    const policy = StagePolicy.parse({ requires: 'all' });
    expect(
      requiredGates(policy, ['validate-data', 'promote', 'model-card'], ['fairness', 'model-card']),
    ).toEqual(['validate-data', 'fairness']);
  });

  it('names the missing and the failing gate', () => {
    const checks = evaluatePolicy(
      request({ requires: 'all' }, { 'validate-data': 'pass', fairness: 'fail' }, [], 0),
    );
    expect(checks.map((check) => [check.id, check.status])).toEqual([
      ['requires.validate-data', 'pass'],
      ['requires.benchmark', 'fail'],
      ['requires.fairness', 'fail'],
    ]);
    expect(checks[1]?.message).toMatch(/the evidence has no benchmark result/);
    expect(checks[2]?.message).toMatch(/production requires fairness to pass, but it is fail/);
  });

  it('measures soak as the longest uninterrupted time in the earlier stage', () => {
    // 1.0.0 held staging 10:00-10:20, then 2.0.0 took it; 1.0.0 came back at 10:50.
    const records = [
      assign('staging', '1.0.0', 1, 0),
      assign('staging', '2.0.0', 2, 20),
      assign('staging', '1.0.0', 3, 50),
    ];
    const policy = { after: 'staging', 'min-soak': '30m' };
    const at = (minute: number) =>
      evaluatePolicy(request(policy, {}, records, minute)).map((check) => check.status);
    expect(at(60)).toEqual(['pass', 'fail']);
    expect(evaluatePolicy(request(policy, {}, records, 60))[1]?.message).toMatch(
      /has 20m so far: wait 10m more/,
    );
    expect(at(80)).toEqual(['pass', 'pass']);
  });

  it('parses and prints durations', () => {
    expect([
      parseDuration('1h30m'),
      parseDuration('2d'),
      parseDuration('45s'),
      parseDuration('1 hour'),
    ]).toEqual([5_400_000, 172_800_000, 45_000, undefined]);
    expect(formatDuration(5_400_000)).toBe('1h 30m');
  });
});
