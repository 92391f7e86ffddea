import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../../shared/errors.ts';
import { defineGate } from '../../../shared/gate.ts';

/**
 * A gate with no ML in it, for testing the packaging machinery (build, action runner, composite steps)
 * independently of the real gates: it checks a number against a threshold, comments on the pull request
 * when it has a token, and uploads one artifact.
 */
export const tinyGate = defineGate({
  name: 'tiny',
  description: 'A test gate: passes when --value is at most --max.',
  settings: z.strictObject({}),
  inputs: {
    value: { description: 'the number to judge', valueName: 'N' },
    max: { description: 'the largest passing value', valueName: 'N' },
  },
  options: z.object({
    value: z
      .string({ error: 'expected a value' })
      .transform(Number)
      .pipe(z.number({ error: 'expected a number' })),
    max: z
      .string()
      .default('10')
      .transform(Number)
      .pipe(z.number({ error: 'expected a number' })),
  }),
  needsModel: false,
  async run({ options, runtime, out }) {
    if (options.value < 0) throw new InputError(`input value: expected a number >= 0, got ${options.value}`);
    const passed = options.value <= options.max;
    runtime.log.info(`tiny: judging ${options.value} against ${options.max}`);
    const { github, context } = runtime;
    if (github && context.repository && context.pullRequest !== undefined) {
      await github.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...context.repository,
        issue_number: context.pullRequest,
        body: `tiny: ${options.value} (max ${options.max})`,
      });
    }
    await mkdir(out, { recursive: true });
    const note = join(out, 'tiny-note.txt');
    await writeFile(note, `${options.value}\n`);
    await runtime.artifacts.upload('tiny-note', [note], out);
    return {
      summary: passed
        ? `${options.value} is at most ${options.max}`
        : `${options.value} exceeds ${options.max}`,
      checks: [
        {
          id: 'tiny.value',
          status: passed ? 'pass' : 'fail',
          message: `value ${options.value}, max ${options.max}`,
          observed: options.value,
          expected: `<= ${options.max}`,
        },
      ],
      metrics: { value: options.value },
    };
  },
});
