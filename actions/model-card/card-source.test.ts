import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/errors.ts';
import { parseCardSource } from './card-source.ts';

describe('parseCardSource', () => {
  it('reads YAML, turning single strings into lists and owners into objects', () => {
    const source = parseCardSource(
      'overview: Scores loans.\nowners: [Credit Risk ML]\nlimitations: Synthetic data only.\n',
      'card.yml',
    );
    expect(source).toEqual({
      overview: 'Scores loans.',
      owners: [{ name: 'Credit Risk ML' }],
      limitations: ['Synthetic data only.'],
    });
  });

  it('reads Markdown front matter, and the body becomes the description', () => {
    const source = parseCardSource(
      '---\noverview: Scores loans.\n---\n\n# About\n\nLonger text.\n',
      'card.md',
    );
    expect(source).toEqual({ overview: 'Scores loans.', description: '# About\n\nLonger text.' });
  });

  it('points at the line of a mistake, in the front matter as in the file', () => {
    expect(() => parseCardSource('---\noverview: fine\nowner: someone\n---\n', 'card.md')).toThrow(
      new InputError('owner: unknown key; did you mean "owners"?', { file: 'card.md', line: 3, column: 1 }),
    );
    expect(() => parseCardSource('references: [not a url]\n', 'card.yml')).toThrow(
      /^card\.yml:1:14 references\.0: /,
    );
    expect(() => parseCardSource('# no front matter\n', 'card.md')).toThrow(
      'card.md:1 expected YAML front matter between two `---` lines',
    );
  });
});
