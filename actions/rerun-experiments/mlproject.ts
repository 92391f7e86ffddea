import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { locate, readValidatedFile, type SourceDocument } from '../../shared/config/yaml-file.ts';
import { InputError, type SourceLocation } from '../../shared/errors.ts';
import { shellQuote } from './run-command.ts';

const Parameter = z.union([
  z.string().min(1),
  z.strictObject({
    type: z.string().default('string'),
    default: z.union([z.string(), z.number(), z.boolean()]).nullish(),
  }),
]);

const EntryPoint = z.strictObject({
  parameters: z.record(z.string(), Parameter).default({}),
  command: z.string().min(1),
});

/** The `MLproject` file of an MLflow project; environments are not read (the rerun uses the current one). */
export const MlProject = z.looseObject({
  name: z.string().optional(),
  entry_points: z.record(z.string(), EntryPoint).default({}),
});
export type MlProject = z.infer<typeof MlProject>;

export interface LoadedProject {
  file: string;
  dir: string;
  project: MlProject;
  source: SourceDocument;
}

export async function readMlProject(dir: string, display: (path: string) => string): Promise<LoadedProject> {
  for (const name of ['MLproject', 'mlproject', 'MLProject']) {
    const file = join(dir, name);
    const found = await access(file).then(
      () => true,
      () => false,
    );
    if (!found) continue;
    const { value, source } = await readValidatedFile(file, MlProject, display(file));
    return { file, dir, project: value, source };
  }
  throw new InputError('no MLproject file: set gates.rerun-experiments.mlflow.project to its folder', {
    file: display(join(dir, 'MLproject')),
  });
}

/**
 * The shell command MLflow runs for `entryPoint` with `params`, as `mlflow run` builds it: each `{name}`
 * of a declared parameter becomes the recorded value (or its default), shell-quoted; `{{` and `}}` are
 * braces. A `.py` or `.sh` entry point not declared in MLproject runs that file with `--name value`.
 */
export function entryPointCommand(
  loaded: LoadedProject,
  entryPoint: string,
  params: Record<string, string>,
): { command: string; location: SourceLocation } {
  const declared = loaded.project.entry_points[entryPoint];
  if (!declared) {
    if (/\.(py|sh)$/.test(entryPoint)) {
      const runner = entryPoint.endsWith('.py') ? 'python' : shellQuote(process.env.SHELL ?? 'bash');
      const args = Object.entries(params).map(([key, value]) => `--${key} ${shellQuote(value)}`);
      return {
        command: [runner, shellQuote(entryPoint), ...args].join(' '),
        location: { file: loaded.source.file },
      };
    }
    throw new InputError(
      `entry point "${entryPoint}" is not declared in entry_points`,
      locate(loaded.source, ['entry_points']),
    );
  }
  const location = locate(loaded.source, ['entry_points', entryPoint, 'command']);
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared.parameters)) {
    const fallback = typeof spec === 'string' ? undefined : spec.default;
    const value = params[name] ?? (fallback == null ? undefined : String(fallback));
    if (value === undefined) {
      throw new InputError(
        `entry_points.${entryPoint}: parameter "${name}" has no recorded value and no default`,
        locate(loaded.source, ['entry_points', entryPoint, 'parameters', name]),
      );
    }
    values[name] = value;
  }
  const command = declared.command.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, name: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const value = values[name!];
    if (value === undefined) {
      throw new InputError(
        `entry_points.${entryPoint}.command: {${name}} is not a declared parameter`,
        location,
      );
    }
    return shellQuote(value);
  });
  return { command, location };
}
