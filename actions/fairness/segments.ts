/**
 * Sensitive features as coded variables, the finest partition of the rows they induce, and each
 * segment's groups as unions of that partition's cells. Everything downstream (point estimates and
 * every bootstrap replicate) works on per-cell confusion counts, never on rows again.
 */

export const MISSING_GROUP = '(missing)';

/** One sensitive or control feature, coded: `codes[row]` indexes `labels`, -1 drops the row. */
export interface Variable {
  name: string;
  labels: string[];
  codes: Int32Array;
}

export type CellValue = string | number | boolean | null | undefined;

const isMissing = (value: CellValue) =>
  value === null || value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value));

/** Group labels for numeric bins with ascending `edges`: `< 26`, `[26, 41)`, ..., `>= 61`. */
export function binLabels(edges: readonly number[]): string[] {
  const labels = [`< ${edges[0]}`];
  for (let i = 1; i < edges.length; i += 1) labels.push(`[${edges[i - 1]}, ${edges[i]})`);
  labels.push(`>= ${edges[edges.length - 1]}`);
  return labels;
}

function binOf(value: number, edges: readonly number[]): number {
  let bin = 0;
  while (bin < edges.length && value >= edges[bin]!) bin += 1;
  return bin;
}

/**
 * Codes one feature. Values are grouped as written (numbers by value), or into bins when `edges` are
 * given; missing values become the group `(missing)` or, with `drop`, code -1.
 */
export function encodeVariable(
  name: string,
  values: readonly CellValue[],
  options: { edges?: readonly number[] | undefined; missing: 'own-group' | 'drop' },
): Variable {
  const codes = new Int32Array(values.length);
  let missingCode = -1;
  if (options.edges) {
    const labels = binLabels(options.edges);
    values.forEach((value, row) => {
      if (isMissing(value)) {
        if (options.missing === 'drop') codes[row] = -1;
        else {
          if (missingCode < 0) missingCode = labels.push(MISSING_GROUP) - 1;
          codes[row] = missingCode;
        }
        return;
      }
      codes[row] = binOf(Number(value), options.edges!);
    });
    return { name, labels, codes };
  }
  const index = new Map<string, number>();
  const labels: string[] = [];
  values.forEach((value, row) => {
    if (isMissing(value) && options.missing === 'drop') {
      codes[row] = -1;
      return;
    }
    const label = isMissing(value) ? MISSING_GROUP : String(value);
    let code = index.get(label);
    if (code === undefined) {
      code = labels.push(label) - 1;
      index.set(label, code);
    }
    codes[row] = code;
  });
  // Stable, readable order: numbers numerically, text alphabetically, (missing) last.
  const order = labels
    .map((label, code) => ({ label, code }))
    .sort((a, b) => {
      if (a.label === MISSING_GROUP) return 1;
      if (b.label === MISSING_GROUP) return -1;
      return a.label.localeCompare(b.label, 'en', { numeric: true });
    });
  const remap = new Int32Array(labels.length);
  order.forEach(({ code }, rank) => {
    remap[code] = rank;
  });
  for (let row = 0; row < codes.length; row += 1) if (codes[row]! >= 0) codes[row] = remap[codes[row]!]!;
  return { name, labels: order.map(({ label }) => label), codes };
}

/** The finest partition: one cell per combination of variable codes that occurs. */
export interface Partition {
  cells: number;
  cellOfRow: Int32Array;
  /** `cellCodes[variable][cell]`: the variable's code in that cell (-1 dropped). */
  cellCodes: Int32Array[];
}

export function partition(variables: readonly Variable[], rows: number): Partition {
  const cellOfRow = new Int32Array(rows);
  const index = new Map<string | number, number>();
  const codesOfCell: number[][] = [];
  let radixProduct = 1;
  for (const variable of variables) radixProduct *= variable.labels.length + 1;
  const numeric = radixProduct < Number.MAX_SAFE_INTEGER;
  for (let row = 0; row < rows; row += 1) {
    let key: string | number = 0;
    if (numeric) {
      let numericKey = 0;
      for (const variable of variables)
        numericKey = numericKey * (variable.labels.length + 1) + variable.codes[row]! + 1;
      key = numericKey;
    } else {
      key = variables.map((variable) => variable.codes[row]).join(',');
    }
    let cell = index.get(key);
    if (cell === undefined) {
      cell = codesOfCell.push(variables.map((variable) => variable.codes[row]!)) - 1;
      index.set(key, cell);
    }
    cellOfRow[row] = cell;
  }
  const cellCodes = variables.map((_, v) => Int32Array.from(codesOfCell, (codes) => codes[v]!));
  return { cells: codesOfCell.length, cellOfRow, cellCodes };
}

/** A segment as configured: one or more sensitive features, optionally within control features. */
export interface SegmentSpec {
  /** Feature names joined by `+`: `sex`, `sex+age_band`. */
  id: string;
  features: string[];
  control: string[];
}

export interface Group {
  /** Feature values joined by `+` (`female+18-25`). */
  label: string;
  /** Unique within the segment, used in check ids: the label, with `[region=north]` under control features. */
  id: string;
  /** `sex=female, age_band=18-25`, for messages. */
  description: string;
  /** Index into `controlLevels`. */
  level: number;
}

export interface SegmentGroups {
  spec: SegmentSpec;
  groups: Group[];
  /** `region=north`... ; a single '' when there are no control features. */
  controlLevels: string[];
  /** Group of each partition cell, -1 when the cell is dropped from this segment. */
  groupOfCell: Int32Array;
}

/** A segment's groups (only combinations that occur: empty intersections have no group). */
export function groupSegment(
  spec: SegmentSpec,
  variables: readonly Variable[],
  cells: Partition,
): SegmentGroups {
  const position = (name: string) => variables.findIndex((variable) => variable.name === name);
  const controlVars = spec.control.map(position);
  const featureVars = spec.features.map(position);
  const keys = new Map<string, { control: number[]; features: number[] }>();
  const keyOfCell: (string | undefined)[] = [];
  for (let cell = 0; cell < cells.cells; cell += 1) {
    const control = controlVars.map((v) => cells.cellCodes[v]![cell]!);
    const features = featureVars.map((v) => cells.cellCodes[v]![cell]!);
    if ([...control, ...features].some((code) => code < 0)) {
      keyOfCell.push(undefined);
      continue;
    }
    const key = [...control, ...features].join(',');
    keyOfCell.push(key);
    if (!keys.has(key)) keys.set(key, { control, features });
  }
  const compare = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  };
  const sorted = [...keys.entries()].sort(
    ([, a], [, b]) => compare(a.control, b.control) || compare(a.features, b.features),
  );
  const levelIndex = new Map<string, number>();
  const controlLevels: string[] = [];
  const groupIndex = new Map<string, number>();
  const groups: Group[] = sorted.map(([key, { control, features }], index) => {
    groupIndex.set(key, index);
    const level = control
      .map((code, i) => `${spec.control[i]}=${variables[controlVars[i]!]!.labels[code]}`)
      .join(', ');
    let levelNumber = levelIndex.get(level);
    if (levelNumber === undefined) {
      levelNumber = controlLevels.push(level) - 1;
      levelIndex.set(level, levelNumber);
    }
    const values = features.map((code, i) => variables[featureVars[i]!]!.labels[code]!);
    const description = values.map((value, i) => `${spec.features[i]}=${value}`).join(', ');
    const label = values.join('+');
    return {
      label,
      id: level ? `${label}[${level}]` : label,
      description: level ? `${description} (${level})` : description,
      level: levelNumber,
    };
  });
  if (controlLevels.length === 0) controlLevels.push('');
  const groupOfCell = Int32Array.from(keyOfCell, (key) => (key === undefined ? -1 : groupIndex.get(key)!));
  return { spec, groups, controlLevels, groupOfCell };
}

/** Sums per-cell confusion totals (4 per cell, `cellOf` order) into per-group totals (4 per group). */
export function sumByGroup(segment: SegmentGroups, cellTotals: ArrayLike<number>): Float64Array {
  const totals = new Float64Array(segment.groups.length * 4);
  const { groupOfCell } = segment;
  for (let cell = 0; cell < groupOfCell.length; cell += 1) {
    const group = groupOfCell[cell]!;
    if (group < 0) continue;
    for (let k = 0; k < 4; k += 1) totals[group * 4 + k]! += cellTotals[cell * 4 + k]!;
  }
  return totals;
}
