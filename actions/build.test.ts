import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../shared/testing/temp-dir.ts';
import { ACTIONS_DIR, buildActions, checkPlannedFiles, discoverActions, plannedFiles } from './build.ts';
import { findDistDrift } from './check-dist.ts';

const run = promisify(execFile);
const TINY = join(ACTIONS_DIR, 'e2e', 'tiny-gate');

/** An actions folder holding one action whose entry is the tiny test gate. */
async function actionsFolder(name = 'tiny', entrySource = `import '${join(TINY, 'main.ts')}';\n`) {
  const dir = await tempDir();
  await mkdir(join(dir, name));
  await cp(join(TINY, 'action.yml'), join(dir, name, 'action.yml'));
  await writeFile(join(dir, name, 'main.ts'), entrySource);
  return dir;
}

describe('the build', () => {
  it('finds each folder with action.yml and main.ts as an action', async () => {
    const dir = await actionsFolder();
    await mkdir(join(dir, 'not-an-action'));
    await writeFile(join(dir, 'not-an-action', 'main.ts'), '');
    expect((await discoverActions(dir)).map((action) => action.name)).toEqual(['tiny']);
  });

  it('writes an ESM bundle that runs under plain node with no node_modules around it', async () => {
    const dir = await actionsFolder();
    const [built] = await buildActions(await discoverActions(dir), dir);
    expect(built!.natives).toEqual([]);
    expect(built!.assets).toEqual([]);
    const bundle = await readFile(built!.bundle, 'utf8');
    expect(bundle.startsWith("import { createRequire as __mlgateCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(JSON.parse(await readFile(join(dir, 'tiny', 'dist', 'package.json'), 'utf8'))).toEqual({
      type: 'module',
    });
    // Without a config file it must fail cleanly (exit 2), which proves every import resolved.
    const workspace = await tempDir();
    const outcome = await run(process.execPath, [built!.bundle], {
      cwd: workspace,
      env: { PATH: process.env.PATH, INPUT_VALUE: '1', GITHUB_OUTPUT: join(workspace, 'out') },
    }).catch((error: { code: number; stdout: string }) => error);
    expect('code' in outcome ? outcome.code : 0).toBe(2);
    expect(outcome.stdout).toContain('::error title=mlgate tiny,file=mlgate.yml::mlgate.yml file not found');
  });

  it('loads native packages from beside the action, and fails clearly on use when they are absent', async () => {
    const entry = [
      "import { InferenceSession } from 'onnxruntime-node';",
      "console.log('started');",
      "await InferenceSession.create('model.onnx');",
      '',
    ].join('\n');
    const dir = await actionsFolder('native', entry);
    const [built] = await buildActions(await discoverActions(dir), dir);
    expect(built!.natives).toEqual(['onnxruntime-node']);
    expect(await readFile(built!.bundle, 'utf8')).toContain('native = __require("onnxruntime-node")');
    // A temporary folder has no node_modules above it, as a node24 action on a runner.
    const outcome = await run(process.execPath, [built!.bundle], { cwd: dir }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(outcome.stdout).toBe('started\n');
    expect(outcome.stderr).toContain(
      "onnxruntime-node is not installed beside this action: Cannot find module 'onnxruntime-node'",
    );
  });
});

describe('files a bundle loads at run time', () => {
  it("copies sql.js's WebAssembly beside a bundle that reaches it, which then runs SQLite with no node_modules", async () => {
    const entry = [
      `import { sqlJs } from '${join(ACTIONS_DIR, '..', 'shared', 'sqlite', 'sql-js.ts')}';`,
      'const SQL = await sqlJs();',
      "console.log(new SQL.Database().exec('SELECT 6 * 7')[0].values[0][0]);",
      '',
    ].join('\n');
    const dir = await actionsFolder('sqlite', entry);
    const [built] = await buildActions(await discoverActions(dir), dir);
    expect(built!.assets).toEqual(['sql-wasm.wasm']);
    expect(await readFile(join(dir, 'sqlite', 'dist', 'sql-wasm.wasm'))).toEqual(
      await readFile(join(ACTIONS_DIR, '..', 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm')),
    );
    const outcome = await run(process.execPath, [built!.bundle], { cwd: dir });
    expect(outcome.stdout).toBe('42\n');
  });
});

describe('the files a native action needs', () => {
  it('plans a composite action.yml, a package.json with the bundled versions, and demands a matching lockfile', async () => {
    const dir = await actionsFolder(
      'native',
      "import { InferenceSession } from 'onnxruntime-node';\nconsole.log(typeof InferenceSession);\n",
    );
    const [built] = await buildActions(await discoverActions(dir), dir);
    const planned = await plannedFiles(built!, dir);
    const manifest = JSON.parse(planned['package.json']!);
    const rootVersion = JSON.parse(
      await readFile(join(ACTIONS_DIR, '..', 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8'),
    ).version;
    expect(manifest.dependencies).toEqual({ 'onnxruntime-node': rootVersion });
    const action = parse(planned['action.yml']!);
    expect(action.runs.using).toBe('composite');
    expect(action.outputs.status.value).toBe('${{ steps.run.outputs.status }}');
    expect(await checkPlannedFiles([built!], dir)).toEqual([
      'actions/native/action.yml is out of date',
      'actions/native/package.json is missing',
      `${join(dir, 'native', 'package-lock.json')} is missing`,
    ]);
    await writeFile(join(dir, 'native', 'action.yml'), planned['action.yml']!);
    await writeFile(join(dir, 'native', 'package.json'), planned['package.json']!);
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { 'onnxruntime-node': rootVersion } },
        'node_modules/onnxruntime-node': { version: rootVersion },
      },
    };
    await writeFile(join(dir, 'native', 'package-lock.json'), JSON.stringify(lock));
    expect(await checkPlannedFiles([built!], dir)).toEqual([]);
  });
});

describe('the dist drift check', () => {
  it('passes right after a build and names each stale or missing bundle', async () => {
    const dir = await actionsFolder();
    const actions = await discoverActions(dir);
    expect(await findDistDrift(actions, dir)).toEqual(['actions/tiny/dist/index.js is missing']);
    await buildActions(actions, dir);
    expect(await findDistDrift(actions, dir)).toEqual([]);
    await writeFile(join(dir, 'tiny', 'dist', 'index.js'), '// edited by hand\n', { flag: 'a' });
    expect(await findDistDrift(actions, dir)).toEqual(['actions/tiny/dist/index.js is out of date']);
  });
});
