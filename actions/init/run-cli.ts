import { memoryStream } from '../../shared/testing/memory-stream.ts';
import { main } from '../cli.ts';

/** Runs the CLI in this process, as the tests of init do, and returns its exit code and output. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
