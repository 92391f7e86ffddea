import { describe, expect, it } from 'vitest';
import { evaluateCondition, evaluateExpression, interpolate } from './workflow-expression.ts';

const scope = {
  succeeded: true,
  contexts: {
    inputs: { out: 'results', 'max-regression': '0.05' },
    steps: { cache: { outputs: { 'cache-hit': 'true' } }, miss: { outputs: {} } },
    runner: { os: 'Linux', arch: 'X64' },
    github: { event: { pull_request: { number: 7 } } },
  },
};

describe('workflow expressions', () => {
  it('reads context paths, with dashes and index syntax, case-insensitively', () => {
    expect(evaluateExpression('steps.cache.outputs.cache-hit', scope)).toBe('true');
    expect(evaluateExpression("inputs['max-regression']", scope)).toBe('0.05');
    expect(evaluateExpression('RUNNER.OS', scope)).toBe('Linux');
    expect(evaluateExpression('github.event.pull_request.number', scope)).toBe(7);
    expect(evaluateExpression('steps.miss.outputs.cache-hit', scope)).toBeUndefined();
  });

  it('compares as GitHub does: strings case-insensitively, missing values as empty', () => {
    expect(evaluateExpression("steps.cache.outputs.cache-hit != 'true'", scope)).toBe(false);
    expect(evaluateExpression("steps.miss.outputs.cache-hit != 'true'", scope)).toBe(true);
    expect(evaluateExpression("runner.os == 'linux'", scope)).toBe(true);
    expect(evaluateExpression("runner.os == 'macOS' || runner.arch == 'X64'", scope)).toBe(true);
    expect(evaluateExpression("!(runner.os == 'Linux') && true", scope)).toBe(false);
  });

  it('interpolates templates and the functions the actions use', () => {
    expect(interpolate('mlgate-${{ runner.os }}-${{ runner.arch }}', scope)).toBe('mlgate-Linux-X64');
    expect(interpolate("${{ format('{0}/{1}', inputs.out, 'x.json') }}", scope)).toBe('results/x.json');
    expect(interpolate("${{ startsWith(runner.os, 'lin') }}", scope)).toBe('true');
  });

  it('applies the implicit success() of step conditions', () => {
    const failed = { ...scope, succeeded: false };
    expect(evaluateCondition(undefined, scope)).toBe(true);
    expect(evaluateCondition(undefined, failed)).toBe(false);
    expect(evaluateCondition("runner.os == 'Linux'", failed)).toBe(false);
    expect(evaluateCondition("always() && runner.os == 'Linux'", failed)).toBe(true);
    expect(evaluateCondition('${{ failure() }}', failed)).toBe(true);
  });

  it('refuses what it does not implement instead of guessing', () => {
    expect(() => evaluateExpression("hashFiles('**/package-lock.json')", scope)).toThrow(/not supported/);
    expect(() => evaluateExpression('secrets.TOKEN', scope)).toThrow(/unknown context "secrets"/);
    expect(() => evaluateExpression("'open", scope)).toThrow(/unterminated/);
  });
});

describe('object filters', () => {
  it('lists a property of every entry, as `needs.*.result`', () => {
    const needs = {
      contexts: { needs: { a: { result: 'success' }, b: { result: 'failure' } } },
      succeeded: true,
    };
    expect(interpolate("${{ join(needs.*.result, ' ') }}", needs)).toBe('success failure');
    expect(evaluateExpression("contains(join(needs.*.result, ','), 'failure')", needs)).toBe(true);
  });
});
