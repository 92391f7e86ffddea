import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS_DIR } from '../build.ts';
import { PINNED_ACTIONS } from '../composite-action.ts';
import { ALL_GATES } from '../gates.ts';

const ROOT = join(ACTIONS_DIR, '..');

/** Where users copy `uses:` lines from: one form of reference there (docs/packaging.md states it). */
async function userFacingFiles(): Promise<string[]> {
  const inDir = async (dir: string, accept: (name: string) => boolean) =>
    (await readdir(join(ROOT, dir))).filter(accept).map((name) => join(dir, name));
  const readmes = (await readdir(ACTIONS_DIR, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => join('actions', entry.name, 'README.md'));
  const existing = await Promise.all(
    readmes.map(async (file) => ((await readFile(join(ROOT, file)).catch(() => null)) ? file : null)),
  );
  return [
    'README.md',
    ...(await inDir('docs', (name) => name.endsWith('.md'))),
    ...(await inDir('docs/workflows', (name) => name.endsWith('.yml'))),
    ...existing.filter((file): file is string => file !== null),
  ];
}

interface Reference {
  file: string;
  line: number;
  uses: string;
  /** The rest of the line after the reference (where the `# vX.Y.Z` comment goes). */
  rest: string;
}

/** Every `uses: X` in a file, in YAML or in prose (`uses: X` in inline code), comments included. */
function references(file: string, text: string): Reference[] {
  const found: Reference[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    for (const match of line.matchAll(/(?<![\w-])uses:\s*['"]?([^\s'"`#)]+)['"]?(.*)$/g)) {
      found.push({ file, line: index + 1, uses: match[1]!, rest: match[2]! });
    }
  }
  return found;
}

const GATE_NAMES = new Set(ALL_GATES.map((gate) => gate.name));
const MLGATE_DOCS_FORM = /^<owner>\/mlgate\/actions\/([a-z-]+|<gate>)@v1$/;
const MLGATE_REPO_FORM = /^\.\/actions\/([a-z-]+)$/;
const PINNED = new Map<string, { sha: string; version: string }>(
  Object.values(PINNED_ACTIONS).map(({ uses, version }) => {
    const [name, sha] = uses.split('@') as [string, string];
    return [name, { sha, version }];
  }),
);

/** The problems with one reference; none when it follows docs/packaging.md's convention. */
function referenceProblems(reference: Reference, form: 'docs' | 'repository'): string[] {
  const where = `${reference.file}:${reference.line}: ${reference.uses}`;
  if (/(^|\/)mlgate\/actions\/|^\.\/actions\//.test(reference.uses)) {
    const match = (form === 'docs' ? MLGATE_DOCS_FORM : MLGATE_REPO_FORM).exec(reference.uses);
    if (!match) {
      return [
        `${where}: refer to mlgate's actions as ${form === 'docs' ? '<owner>/mlgate/actions/<gate>@v1' : './actions/<gate>'}`,
      ];
    }
    if (match[1] !== '<gate>' && !GATE_NAMES.has(match[1]!)) return [`${where}: no such gate`];
    return [];
  }
  const [name, ref] = reference.uses.split('@');
  if (!ref || !/^[0-9a-f]{40}$/.test(ref)) return [`${where}: pin third-party actions by full commit SHA`];
  const version = /^\s*#\s*(v\d+\.\d+\.\d+)\b/.exec(reference.rest)?.[1];
  if (!version) return [`${where}: say which release the SHA is, as a "# vX.Y.Z" comment`];
  const pinned = PINNED.get(name!);
  if (pinned && (pinned.sha !== ref || pinned.version !== version)) {
    return [`${where} # ${version}: use ${name}@${pinned.sha} # ${pinned.version}, as everywhere else`];
  }
  return [];
}

describe('how the docs and workflows refer to actions (docs/packaging.md)', () => {
  it('the docs use <owner>/mlgate/actions/<gate>@v1 and pinned third-party actions', async () => {
    const problems: string[] = [];
    let count = 0;
    for (const file of await userFacingFiles()) {
      for (const reference of references(file, await readFile(join(ROOT, file), 'utf8'))) {
        count++;
        problems.push(...referenceProblems(reference, 'docs'));
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(40);
  });

  it("this repository's workflows use ./actions/<gate> and the same pinned third-party actions", async () => {
    const dir = join(ROOT, '.github', 'workflows');
    const problems: string[] = [];
    for (const name of await readdir(dir)) {
      const file = relative(ROOT, join(dir, name));
      for (const reference of references(file, await readFile(join(dir, name), 'utf8'))) {
        problems.push(...referenceProblems(reference, 'repository'));
      }
    }
    expect(problems).toEqual([]);
  });

  it('one SHA per third-party action across everything, even for actions the table does not list', async () => {
    const files = [
      ...(await userFacingFiles()),
      ...(await readdir(join(ROOT, '.github', 'workflows'))).map((name) =>
        join('.github', 'workflows', name),
      ),
    ];
    const shas = new Map<string, Set<string>>();
    for (const file of files) {
      for (const { uses } of references(file, await readFile(join(ROOT, file), 'utf8'))) {
        const [name, ref] = uses.split('@');
        if (!ref || name!.startsWith('.') || name!.includes('mlgate/')) continue;
        shas.set(name!, new Set([...(shas.get(name!) ?? []), ref]));
      }
    }
    const conflicting = [...shas]
      .filter(([, refs]) => refs.size > 1)
      .map(([name, refs]) => [name, [...refs]]);
    expect(conflicting).toEqual([]);
    expect([...shas.keys()]).toContain('actions/checkout');
  });

  it('catches the forms it forbids', () => {
    const at = (uses: string, rest = '') => ({ file: 'x.md', line: 1, uses, rest });
    const checkout = PINNED.get('actions/checkout')!;
    expect(referenceProblems(at('mlgate/mlgate/actions/fairness@v1'), 'docs')).toHaveLength(1);
    expect(referenceProblems(at('<owner>/mlgate/actions/fairness@0123'), 'docs')).toHaveLength(1);
    expect(referenceProblems(at('./actions/fairness'), 'docs')).toHaveLength(1);
    expect(referenceProblems(at('<owner>/mlgate/actions/fairnes@v1'), 'docs')).toEqual([
      'x.md:1: <owner>/mlgate/actions/fairnes@v1: no such gate',
    ]);
    expect(referenceProblems(at('<owner>/mlgate/actions/fairness@v1'), 'repository')).toHaveLength(1);
    expect(referenceProblems(at('actions/checkout@v4'), 'docs')).toHaveLength(1);
    expect(referenceProblems(at(`actions/checkout@${checkout.sha}`), 'docs')).toHaveLength(1);
    expect(referenceProblems(at(`actions/checkout@${'1'.repeat(40)}`, ' # v4.2.2'), 'docs')).toHaveLength(1);
    expect(
      referenceProblems(at(`actions/checkout@${checkout.sha}`, ` # ${checkout.version}`), 'docs'),
    ).toEqual([]);
    expect(referenceProblems(at('<owner>/mlgate/actions/<gate>@v1'), 'docs')).toEqual([]);
  });
});
