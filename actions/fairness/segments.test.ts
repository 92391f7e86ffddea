import { describe, expect, it } from 'vitest';
import { binLabels, encodeVariable, groupSegment, partition } from './segments.ts';

describe('encodeVariable', () => {
  it('bins numbers by ascending edges, lower edge inclusive, with missing values in their own group', () => {
    const variable = encodeVariable('age', [18, 25, 26, 40, 41, 85, null], {
      edges: [26, 41],
      missing: 'own-group',
    });
    expect(variable.labels).toEqual(['< 26', '[26, 41)', '>= 41', '(missing)']);
    expect([...variable.codes]).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(binLabels([10])).toEqual(['< 10', '>= 10']);
  });

  it('orders groups numerically, then alphabetically, missing last; drop codes missing as -1', () => {
    const variable = encodeVariable('n', [10, 9, '', 100], { missing: 'own-group' });
    expect(variable.labels).toEqual(['9', '10', '100', '(missing)']);
    const dropped = encodeVariable('n', ['b', null, 'a'], { missing: 'drop' });
    expect(dropped.labels).toEqual(['a', 'b']);
    expect([...dropped.codes]).toEqual([1, -1, 0]);
  });
});

describe('groupSegment', () => {
  it('forms only the intersections that occur and drops rows with a dropped value', () => {
    const sex = encodeVariable('sex', ['f', 'f', 'm', null], { missing: 'drop' });
    const band = encodeVariable('band', ['young', 'old', 'young', 'old'], { missing: 'drop' });
    const cells = partition([sex, band], 4);
    const segment = groupSegment(
      { id: 'sex+band', features: ['sex', 'band'], control: [] },
      [sex, band],
      cells,
    );
    expect(segment.groups.map((group) => group.label)).toEqual(['f+old', 'f+young', 'm+young']);
    const rowsPerGroup = segment.groups.map(
      (_, g) => [...cells.cellOfRow].filter((cell) => segment.groupOfCell[cell] === g).length,
    );
    expect(rowsPerGroup).toEqual([1, 1, 1]);
  });
});
