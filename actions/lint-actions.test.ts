import { describe, expect, it } from 'vitest';
import { lintAction, lintWorkflow, workflowBlocks } from './lint-actions.ts';

describe('actionlint over workflows', () => {
  it('flags untrusted input interpolated into shell and unknown step outputs', async () => {
    const workflow = [
      'on: pull_request',
      'permissions: {}',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ github.event.pull_request.title }}"',
      '      - run: echo "${{ steps.missing.outputs.x }}"',
      '',
    ].join('\n');
    const problems = await lintWorkflow(workflow, 'ci.yml');
    expect(problems.map((problem) => [problem.line, problem.kind])).toEqual([
      [7, 'expression'],
      [8, 'expression'],
    ]);
    expect(problems[0]!.message).toContain('potentially untrusted');
  });

  it('passes a clean workflow', async () => {
    const workflow = [
      'on: pull_request',
      'permissions: {}',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "$TITLE"',
      '        env:',
      '          TITLE: ${{ github.event.pull_request.title }}',
      '',
    ].join('\n');
    expect(await lintWorkflow(workflow, 'ci.yml')).toEqual([]);
  });
});

describe('linting action.yml', () => {
  it('checks the metadata syntax and mlgate conventions, at the offending line', async () => {
    const action = [
      'name: x',
      'description: y',
      'inputs:',
      '  maxRegression:',
      '    description: camelCase is not kebab-case',
      'runs:',
      '  using: node24',
      '  main: dist/index.js',
      '',
    ].join('\n');
    const [problem, ...rest] = await lintAction(action, 'action.yml');
    expect(rest).toEqual([]);
    // The location is the input's definition, right under its name.
    expect(problem).toMatchObject({ file: 'action.yml', line: 5, kind: 'action-metadata' });
    expect(problem!.message).toContain('kebab-case');
  });

  it("lints a composite action's steps and maps findings back to action.yml lines", async () => {
    const action = [
      'name: x',
      'description: y',
      'inputs:',
      '  out:',
      '    description: where',
      'outputs:',
      '  status:',
      '    description: s',
      '    value: ${{ steps.run.outputs.status }}',
      'runs:',
      '  using: composite',
      '  steps:',
      '    - id: run',
      '      shell: bash',
      '      run: echo ok',
      '    - shell: bash',
      '      run: echo "${{ inputs.outt }}"',
      '',
    ].join('\n');
    const problems = await lintAction(action, 'action.yml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 17, kind: 'expression' });
    expect(problems[0]!.message).toContain('outt');
  });

  it('requires shell: on composite run steps and value: on composite outputs', async () => {
    const action = [
      'name: x',
      'description: y',
      'outputs:',
      '  status:',
      '    description: s',
      'runs:',
      '  using: composite',
      '  steps:',
      '    - run: echo ok',
      '      shell: bash',
      '',
    ].join('\n');
    const [problem] = await lintAction(action, 'action.yml');
    expect(problem).toMatchObject({ line: 5 });
    expect(problem!.message).toContain('value');
  });
});

describe('workflows in Markdown', () => {
  it('finds whole workflows among the YAML blocks, with the line each starts on', () => {
    const markdown = [
      '# Title',
      '```yaml',
      'version: 1',
      '```',
      'Text.',
      '```yaml',
      'on: push',
      'jobs: {}',
      '```',
      '',
    ].join('\n');
    expect(workflowBlocks(markdown)).toEqual([{ text: 'on: push\njobs: {}\n', line: 7 }]);
  });
});
