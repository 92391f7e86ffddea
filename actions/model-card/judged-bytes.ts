import type { Check } from '../../shared/result/gate-result.ts';
import type { LoadedResult } from './read-results.ts';

/**
 * The check that the model bytes at hand are the bytes every included result judged. Evidence is a claim
 * about these bytes: a result measured on other bytes (the model changed after the gates ran) or on none
 * (the model file was missing when it ran) cannot back it, so the card writes no evidence at all.
 * One line names each result that differs, with both sha256s in full so they can be compared.
 */
export function judgedBytesCheck(
  results: readonly LoadedResult[],
  model: { display: string; sha256: string },
): Check {
  const differing = results.filter(({ result }) => result.subject.model?.sha256 !== model.sha256);
  if (differing.length === 0) {
    return {
      id: 'evidence.model',
      status: 'pass',
      message: `every result judged ${model.display} (sha256 ${model.sha256})`,
      observed: model.sha256,
    };
  }
  const judged = differing.map(({ file, result }) => {
    const sha256 = result.subject.model?.sha256;
    return sha256 ? `${file} judged sha256 ${sha256}` : `${file} judged no model file`;
  });
  return {
    id: 'evidence.model',
    status: 'fail',
    message: `no evidence written: ${model.display} has sha256 ${model.sha256}, but ${judged.join('; ')}. Run the gates again on these bytes`,
    observed: Object.fromEntries(
      differing.map(({ file, result }) => [file, result.subject.model?.sha256 ?? null]),
    ),
    expected: model.sha256,
  };
}
