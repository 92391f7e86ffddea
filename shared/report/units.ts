import { formatNumber } from './markdown.ts';

/** A duration in milliseconds in the unit that reads best: `22.8 µs`, `1.52 ms`, `3.4 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const magnitude = Math.abs(ms);
  if (magnitude < 1) return `${formatNumber(Number((ms * 1000).toPrecision(3)))} µs`;
  if (magnitude < 1000) return `${formatNumber(Number(ms.toPrecision(3)))} ms`;
  return `${formatNumber(Number((ms / 1000).toPrecision(3)))} s`;
}

/** Bytes in binary units, one decimal: `2.1 KiB`, `232.8 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${formatNumber(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const signed = (value: number, digits: number) =>
  `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(digits)}`;

/** A difference of two rates in percentage points, signed: `+5.6 pp`, `−9.6 pp`. */
export function formatPoints(difference: number, digits = 1): string {
  return `${signed(difference * 100, digits)} pp`;
}

/** A ratio as a signed percentage change: ×1.051 → `+5.1%`. */
export function formatPercentChange(ratio: number, digits = 1): string {
  return `${signed((ratio - 1) * 100, digits)}%`;
}
