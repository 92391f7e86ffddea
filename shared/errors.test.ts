import { RequestError } from '@octokit/request-error';
import { describe, expect, it } from 'vitest';
import { InputError, internalErrorLine, serviceFailureLine } from './errors.ts';

describe('serviceFailureLine', () => {
  it('names the status and route of a request GitHub refused, without its query', () => {
    const error = new RequestError('Conflict merging main into 1a2b3c.', 409, {
      request: {
        method: 'POST',
        url: 'https://api.github.com/repos/acme/loans/deployments?page=2',
        headers: {},
      },
    });
    expect(serviceFailureLine(error)).toBe(
      'GitHub answered 409 to POST https://api.github.com/repos/acme/loans/deployments: Conflict merging main into 1a2b3c.',
    );
  });

  it('leaves anything else to the other classes of failure', () => {
    expect(serviceFailureLine(new InputError('bad'))).toBeUndefined();
    expect(serviceFailureLine(new TypeError('x is undefined'))).toBeUndefined();
    expect(serviceFailureLine({ status: 500 })).toBeUndefined();
    expect(internalErrorLine(new TypeError('x is undefined'))).toMatch(
      /^internal error \(a bug in mlgate\): x is undefined;/,
    );
  });
});
