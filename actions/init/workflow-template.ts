import { readFile } from 'node:fs/promises';

/**
 * The pull-request workflow `mlgate init` starts from. The CLI's bundle inlines this file's text
 * (actions/build-cli-package.ts), because an installed package has no docs/ folder beside it.
 */
export function readWorkflowTemplate(): Promise<string> {
  return readFile(new URL('../../docs/workflows/pr-quality-gates.yml', import.meta.url), 'utf8');
}
