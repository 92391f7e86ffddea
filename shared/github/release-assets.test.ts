import { describe, expect, it } from 'vitest';
import { parseUploadUrl } from './release-assets.ts';

describe("a release's upload_url", () => {
  it('gives the uploads origin and the route parameters, on github.com and on GitHub Enterprise Server', () => {
    expect(
      parseUploadUrl('https://uploads.github.com/repos/octo-org/models/releases/31/assets{?name,label}'),
    ).toEqual({ baseUrl: 'https://uploads.github.com', owner: 'octo-org', repo: 'models', releaseId: 31 });
    expect(parseUploadUrl('https://ghe.example.com/api/uploads/repos/risk/loans/releases/7/assets')).toEqual({
      baseUrl: 'https://ghe.example.com/api/uploads',
      owner: 'risk',
      repo: 'loans',
      releaseId: 7,
    });
  });

  it('refuses anything else, rather than upload to a guessed place', () => {
    expect(() => parseUploadUrl('/repos/o/r/releases/1/assets{?name,label}')).toThrow(
      'not a release upload URL: /repos/o/r/releases/1/assets{?name,label}',
    );
    expect(() => parseUploadUrl('https://uploads.github.com/repos/o/r/releases/latest/assets')).toThrow(
      /not a release upload URL/,
    );
  });
});
