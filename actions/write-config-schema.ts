import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { writeFileAtomic } from '../shared/fs/atomic-write.ts';
import { configSchema } from './gates.ts';

/** Where editors find the schema: `# yaml-language-server: $schema=../mlgate.schema.json`. */
export const CONFIG_SCHEMA_PATH = fileURLToPath(new URL('../mlgate.schema.json', import.meta.url));

/** The JSON Schema of `mlgate.yml`, generated from the zod schema so the two cannot disagree. */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return `${JSON.stringify({ ...schema, title: 'mlgate.yml', $id: 'https://mlgate.dev/mlgate.schema.json' }, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFileAtomic(CONFIG_SCHEMA_PATH, configJsonSchema());
  console.log(`wrote ${CONFIG_SCHEMA_PATH}`);
}
