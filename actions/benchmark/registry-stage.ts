import { git } from './git.ts';

/**
 * Who holds a registry stage, as far as the benchmark needs to know. `promote` maintains the registry
 * as GTO-style annotated tags (`NAME#STAGE#N` assigns, `NAME#STAGE!#N` unassigns; the highest counter
 * is current) whose message carries `digest: <sha256>` and `model-path: <path>` lines.
 */
export interface StageHolder {
  tag: string;
  commit: string;
  version: string | undefined;
  digest: string | undefined;
  modelPath: string | undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function fact(message: string, key: string): string | undefined {
  const match = new RegExp(`^${key}: (.+)$`, 'm').exec(message);
  return match?.[1]?.trim();
}

/**
 * Reads the current holder of `stage` for `model` from the tags of the repository at `cwd`, or undefined
 * when the stage was never assigned or was last unassigned. A deliberately small reader of the tag
 * format; the full registry (history, registrations) is promote's business.
 */
export async function readStageHolder(
  cwd: string,
  model: string,
  stage: string,
): Promise<StageHolder | undefined> {
  const separator = '\u0001';
  const listing = await git(cwd, [
    'for-each-ref',
    'refs/tags',
    `--format=%(refname:strip=2)${separator}%(objectname)${separator}%(*objectname)${separator}%(contents)%00`,
  ]);
  const pattern = new RegExp(`^${escapeRegExp(model)}#${escapeRegExp(stage)}(!?)(?:#(\\d+))?$`);
  let best: { counter: number; unassign: boolean; holder: StageHolder } | undefined;
  for (const entry of listing.split('\0')) {
    const [name = '', object = '', peeled = '', message = ''] = entry.replace(/^\n/, '').split(separator);
    const match = pattern.exec(name);
    if (!match) continue;
    const counter = Number(match[2] ?? 0);
    if (best && best.counter >= counter) continue;
    best = {
      counter,
      unassign: match[1] === '!',
      holder: {
        tag: name,
        commit: peeled || object,
        version: fact(message, 'version'),
        digest: fact(message, 'digest'),
        modelPath: fact(message, 'model-path'),
      },
    };
  }
  return best && !best.unassign ? best.holder : undefined;
}
