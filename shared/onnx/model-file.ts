import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import onnxProto from 'onnx-proto';
import { parse } from 'yaml';
import { z } from 'zod';
import { errorMessage, InputError, type SourceLocation } from '../errors.ts';

const { onnx } = onnxProto;

/** An ONNX file read and decoded once, for every gate that opens it. */
export interface ModelFile {
  /** Absolute path. */
  path: string;
  /** The path as people should read it in messages. */
  display: string;
  bytes: Uint8Array;
  model: onnxProto.onnx.ModelProto;
}

// The first line of every Git LFS pointer file (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md).
const LFS_POINTER = 'version https://git-lfs.github.com/spec/v1';

const DvcLockOuts = z.looseObject({
  stages: z.record(
    z.string(),
    z.looseObject({ outs: z.array(z.looseObject({ path: z.string() })).optional() }),
  ),
});

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The `.dvc` file or `dvc.lock` that tracks `path`, when DVC tracks it (searched up to the repository root). */
async function dvcTracker(path: string): Promise<string | undefined> {
  if (await exists(`${path}.dvc`)) return `${path}.dvc`;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const lock = join(dir, 'dvc.lock');
    if (await exists(lock)) {
      const parsed = DvcLockOuts.safeParse(parse(await readFile(lock, 'utf8').catch(() => '')));
      const outs = parsed.success
        ? Object.values(parsed.data.stages).flatMap((stage) => stage.outs ?? [])
        : [];
      // An out may be the file itself or a folder holding it.
      const holds = (out: string) => {
        const inside = relative(resolve(dir, out), path);
        return !inside.startsWith('..') && !isAbsolute(inside);
      };
      if (outs.some((out) => holds(out.path))) return lock;
    }
    if ((await exists(join(dir, '.git'))) || dirname(dir) === dir) return undefined;
  }
}

function describeText(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('utf8');
  // Printable text (an HTML error page, a JSON body, a README saved under the wrong name) is named as such.
  if (!/^[\t\n\r\x20-\x7e\u00a0-\uffff]+$/.test(head)) return undefined;
  const line = head.split(/\r?\n/)[0]!.trim();
  return line.length > 40 ? `${line.slice(0, 40)}...` : line;
}

/**
 * Decodes model bytes, or explains in one line why they are not a model: a Git LFS pointer, an empty or
 * truncated file, text, or bytes that are not an ONNX ModelProto.
 */
export function decodeModelBytes(bytes: Uint8Array, location: SourceLocation): onnxProto.onnx.ModelProto {
  if (bytes.length === 0) {
    throw new InputError('is empty (0 bytes): the model was not written or not checked out', location);
  }
  const text = describeText(bytes);
  if (Buffer.from(bytes.subarray(0, LFS_POINTER.length)).toString('latin1') === LFS_POINTER) {
    throw new InputError(
      'is a Git LFS pointer, not the model: check out with `lfs: true` (actions/checkout) or run `git lfs pull`',
      location,
    );
  }
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    if (text !== undefined) throw new InputError(`is text ("${text}"), not an ONNX model`, location);
    // protobufjs reports reading past the end as "index out of range".
    if (/index out of range/.test(errorMessage(error))) {
      throw new InputError(
        `is truncated: its ${bytes.length} bytes end inside the ONNX protobuf (an interrupted copy or download?)`,
        location,
      );
    }
    throw new InputError(`is not an ONNX model (${errorMessage(error)})`, location);
  }
  if (!model.graph || !model.irVersion) {
    throw new InputError(
      text !== undefined
        ? `is text ("${text}"), not an ONNX model`
        : 'is not an ONNX model (no graph or IR version in it)',
      location,
    );
  }
  return model;
}

/**
 * Reads and decodes an ONNX file. Every way a model file arrives broken in CI is one InputError line
 * naming `display`: missing (and, when DVC tracks it, that `dvc pull` did not run), unreadable, empty,
 * a Git LFS pointer, truncated, or not ONNX.
 */
export async function readModelFile(path: string, display = path): Promise<ModelFile> {
  const location = { file: display };
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new InputError(`cannot be read (${code ?? errorMessage(error)})`, location);
    const tracker = await dvcTracker(resolve(path));
    if (tracker) {
      const named = basename(tracker) === 'dvc.lock' ? relative(process.cwd(), tracker) : basename(tracker);
      throw new InputError(
        `is tracked by DVC (${named.split(sep).join('/')}) but its data was not pulled: run \`dvc pull\` before the gate`,
        location,
      );
    }
    throw new InputError('model file not found', location);
  }
  return { path, display, bytes, model: decodeModelBytes(bytes, location) };
}
