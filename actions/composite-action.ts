import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { z } from 'zod';
import { inputVariable } from '../shared/actions/action-metadata.ts';

/**
 * Third-party actions the packaging and the example workflows use, pinned by commit SHA (a tag can be
 * moved; a SHA cannot). The comment after each pin names the release it is.
 */
export const PINNED_ACTIONS = {
  cache: { uses: 'actions/cache@9255dc7a253b0ccc959486e2bca901246202afeb', version: 'v5.0.1' },
  checkout: { uses: 'actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8', version: 'v6.0.1' },
  setupNode: { uses: 'actions/setup-node@2028fbc5c25fe9cf00d9f06a71cc4710d4507903', version: 'v6.0.0' },
  uploadArtifact: {
    uses: 'actions/upload-artifact@b7c566a772e6b6bfb58ed0dc250532a479d7789f',
    version: 'v6.0.0',
  },
  downloadArtifact: {
    uses: 'actions/download-artifact@37930b1c2abaa49bbe596cd826c3c89aef350131',
    version: 'v7.0.0',
  },
} as const;

/** Every GitHub-hosted runner platform, as `RUNNER_OS-RUNNER_ARCH`. */
const ALL_PLATFORMS = [
  'Linux-X64',
  'Linux-ARM64',
  'macOS-X64',
  'macOS-ARM64',
  'Windows-X64',
  'Windows-ARM64',
];

/**
 * Runners (`RUNNER_OS-RUNNER_ARCH`) each native package has prebuilt binaries for, read from the
 * packages themselves: onnxruntime-node 1.30 ships bin/napi-v6/{linux/x64,linux/arm64,darwin/arm64,
 * win32/x64,win32/arm64} (no Intel macOS), @duckdb/node-bindings 1.5 has optional packages for all six.
 */
export const NATIVE_PLATFORMS: Record<string, readonly string[]> = {
  'onnxruntime-node': ['Linux-X64', 'Linux-ARM64', 'macOS-ARM64', 'Windows-X64', 'Windows-ARM64'],
  '@duckdb/node-api': ALL_PLATFORMS,
};

/** The runners on which every one of `natives` has a build. */
export function supportedPlatforms(natives: readonly string[]): string[] {
  return ALL_PLATFORMS.filter((platform) =>
    natives.every((name) => NATIVE_PLATFORMS[name]?.includes(platform)),
  );
}

// Inputs reach the script only through env: (never `${{ }}` inside `run:`), so a value cannot inject shell.
const CHECK_SCRIPT = `platform="$RUNNER_OS-$RUNNER_ARCH"
case " $MLGATE_PLATFORMS " in
  *" $platform "*) ;;
  *)
    echo "::error title=mlgate $MLGATE_GATE::mlgate $MLGATE_GATE cannot run on a $RUNNER_OS $RUNNER_ARCH runner: $MLGATE_NATIVES has no build for it. It runs on: $MLGATE_PLATFORMS."
    exit 1
    ;;
esac
if ! command -v node >/dev/null 2>&1; then
  echo "::error title=mlgate $MLGATE_GATE::mlgate $MLGATE_GATE needs Node.js 20.19 or later on PATH: add actions/setup-node before this step."
  exit 1
fi
if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)'; then
  echo "::error title=mlgate $MLGATE_GATE::mlgate $MLGATE_GATE needs Node.js 20.19 or later, found $(node --version): add actions/setup-node before this step."
  exit 1
fi
# hashFiles() cannot read files outside the workspace, such as this action's own lockfile
# (actions/toolkit#1035, actions/runner#3765), so the cache key's hash is computed here.
hash=$(node -e 'process.stdout.write(require("node:crypto").createHash("sha256").update(require("node:fs").readFileSync(process.argv[1])).digest("hex"))' "$GITHUB_ACTION_PATH/package-lock.json")
echo "lockfile-hash=$hash" >> "$GITHUB_OUTPUT"
`;

/**
 * onnxruntime-node ships the binaries of every platform (about 290 MB); the cache, keyed on this
 * runner's OS and architecture, keeps only this runner's.
 */
export const PRUNE_SCRIPT = [
  'const fs = require("node:fs"), path = require("node:path");',
  'const bin = path.join("node_modules", "onnxruntime-node", "bin", "napi-v6");',
  'if (fs.existsSync(bin)) for (const os of fs.readdirSync(bin)) for (const arch of fs.readdirSync(path.join(bin, os)))',
  '  if (os !== process.platform || arch !== process.arch) fs.rmSync(path.join(bin, os, arch), { recursive: true, force: true });',
].join('\n');

export interface CompositeSpec {
  gate: string;
  /** Native packages with their versions, e.g. `{ 'onnxruntime-node': '1.30.0' }`. */
  natives: Record<string, string>;
  inputs: readonly string[];
  outputs: readonly string[];
}

/** The `runs:` of a composite gate action: platform check, cached install of its natives, the bundle. */
export function compositeRuns(spec: CompositeSpec) {
  const names = Object.keys(spec.natives).sort();
  return {
    using: 'composite',
    steps: [
      {
        name: 'Check the runner',
        id: 'setup',
        shell: 'bash',
        env: {
          MLGATE_GATE: spec.gate,
          MLGATE_NATIVES: names.map((name) => `${name} ${spec.natives[name]}`).join(', '),
          MLGATE_PLATFORMS: supportedPlatforms(names).join(' '),
        },
        run: CHECK_SCRIPT,
      },
      {
        name: 'Restore native dependencies',
        id: 'cache',
        uses: PINNED_ACTIONS.cache.uses,
        with: {
          path: '${{ github.action_path }}/node_modules',
          key: `mlgate-${spec.gate}-\${{ runner.os }}-\${{ runner.arch }}-\${{ steps.setup.outputs.lockfile-hash }}`,
        },
      },
      {
        name: 'Install native dependencies',
        if: "steps.cache.outputs.cache-hit != 'true'",
        shell: 'bash',
        'working-directory': '${{ github.action_path }}',
        // The natives ship prebuilt binaries; onnxruntime-node's install script would only fetch CUDA.
        env: { ONNXRUNTIME_NODE_INSTALL: 'skip' },
        run: `npm ci --omit=dev --ignore-scripts --no-audit --no-fund\nnode -e '${PRUNE_SCRIPT}'\n`,
      },
      {
        name: `Run mlgate ${spec.gate}`,
        id: 'run',
        shell: 'bash',
        // Composite actions do not get INPUT_* from the runner; the bundle reads them like a node action.
        env: Object.fromEntries(spec.inputs.map((name) => [inputVariable(name), `\${{ inputs.${name} }}`])),
        run: 'node "$GITHUB_ACTION_PATH/dist/index.js"\n',
      },
    ],
  };
}

const ActionPackage = z.looseObject({ dependencies: z.record(z.string(), z.string()).default({}) });

/** The natives an action's own `package.json` installs, or undefined when it has none (a node action). */
export async function readActionNatives(actionDir: string): Promise<Record<string, string> | undefined> {
  const file = join(actionDir, 'package.json');
  if (!existsSync(file)) return undefined;
  return ActionPackage.parse(JSON.parse(await readFile(file, 'utf8'))).dependencies;
}

/**
 * Rewrites the `runs:` section (and the outputs' `value:`s) of a composite action's `action.yml` from
 * `compositeRuns`, keeping everything else (names, descriptions, comments) as written.
 */
export function renderCompositeAction(
  actionYaml: string,
  gate: string,
  natives: Record<string, string>,
): string {
  const document = parseDocument(actionYaml);
  const inputsNode = document.get('inputs');
  const outputsNode = document.get('outputs');
  const inputs = isMap(inputsNode)
    ? inputsNode.items.map((item) => String((item.key as { value: unknown }).value))
    : [];
  const outputs = isMap(outputsNode)
    ? outputsNode.items.map((item) => String((item.key as { value: unknown }).value))
    : [];
  for (const output of outputs)
    document.setIn(['outputs', output, 'value'], `\${{ steps.run.outputs.${output} }}`);
  document.set('runs', document.createNode(compositeRuns({ gate, natives, inputs, outputs })));
  const uses = document.getIn(['runs', 'steps', 1, 'uses'], true);
  if (isScalar(uses)) uses.comment = ` ${PINNED_ACTIONS.cache.version}`;
  return document.toString({ lineWidth: 0 });
}

/** The `runs:` of an action with no native dependency: the bundle, on the runner's own Node 24. */
export function renderNodeAction(actionYaml: string): string {
  const document = parseDocument(actionYaml);
  const outputsNode = document.get('outputs');
  if (isMap(outputsNode)) {
    for (const item of outputsNode.items) {
      const output = item.value;
      if (isMap(output)) output.delete('value');
    }
  }
  document.set('runs', document.createNode({ using: 'node24', main: 'dist/index.js' }));
  return document.toString({ lineWidth: 0 });
}
