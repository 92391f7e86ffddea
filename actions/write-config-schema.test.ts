import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_PATH, configJsonSchema } from './write-config-schema.ts';

describe('mlgate.schema.json', () => {
  it('is what the zod config schema generates (run `npm run schema` after changing a schema)', async () => {
    expect(await readFile(CONFIG_SCHEMA_PATH, 'utf8')).toBe(configJsonSchema());
  });

  it('rejects unknown top-level keys, as the zod schema does', () => {
    const schema = JSON.parse(configJsonSchema()) as { additionalProperties: unknown; required: string[] };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toContain('version');
  });
});
