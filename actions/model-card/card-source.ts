import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseSourceText, type SourceDocument, validateSource } from '../../shared/config/yaml-file.ts';
import { InputError } from '../../shared/errors.ts';

const text = z.string().trim().min(1, { error: 'expected some text' });
/** A list written as one string is a list of one. */
const list = z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(text));

const Owner = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.strictObject({ name: text, contact: text.optional() }),
);

const Risk = z.preprocess(
  (value) => (typeof value === 'string' ? { risk: value } : value),
  z.strictObject({ risk: text, mitigation: text.optional() }),
);

/**
 * What only people can write about a model, in the words of Mitchell et al. (2019). Every field is
 * optional: the card lists what is missing instead of inventing it.
 */
export const CardSource = z.strictObject({
  overview: text.optional(),
  /** Longer description; in a Markdown card source, the body after the front matter. */
  description: text.optional(),
  owners: z.array(Owner).optional(),
  /** SPDX identifier (e.g. `Apache-2.0`) or `proprietary`. */
  license: text.optional(),
  references: z.array(z.url()).optional(),
  citation: text.optional(),
  'model-type': text.optional(),
  /** Hugging Face task id for `model-index`, e.g. `tabular-classification`. */
  task: text.optional(),
  'intended-use': list.optional(),
  'intended-users': list.optional(),
  'out-of-scope-use': list.optional(),
  factors: list.optional(),
  'training-data': text.optional(),
  'evaluation-data': text.optional(),
  limitations: list.optional(),
  tradeoffs: list.optional(),
  'ethical-considerations': z.array(Risk).optional(),
  recommendations: list.optional(),
});
export type CardSource = z.infer<typeof CardSource>;

/** The sections a person must write; each is listed in the card when absent. */
export const REQUIRED_SOURCE_FIELDS = [
  'overview',
  'owners',
  'license',
  'intended-use',
  'out-of-scope-use',
  'limitations',
  'ethical-considerations',
] as const satisfies readonly (keyof CardSource)[];

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Parses a card source from text: YAML, or Markdown whose YAML front matter holds the fields. */
export function parseCardSource(content: string, displayName: string): CardSource {
  let source: SourceDocument;
  let body: string | undefined;
  if (/\.(md|markdown)$/i.test(displayName)) {
    const match = FRONT_MATTER.exec(content);
    if (!match)
      throw new InputError('expected YAML front matter between two `---` lines', {
        file: displayName,
        line: 1,
      });
    // One empty line in place of the opening `---` keeps the YAML parser's line numbers those of the file.
    source = parseSourceText(`\n${match[1]}`, displayName);
    body = content.slice(match[0].length).trim();
  } else {
    source = parseSourceText(content, displayName);
  }
  const value = validateSource(source, CardSource);
  if (body && !value.description) value.description = body;
  return value;
}

/** Reads and validates a card source file; a missing file or a mistake is an InputError naming it. */
export async function readCardSource(file: string, displayName: string): Promise<CardSource> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'card source not found' : `cannot read card source (${code})`, {
      file: displayName,
    });
  }
  return parseCardSource(content, displayName);
}
