/**
 * `${...}` interpolation as DVC does it in dvc.yaml (and mlgate in experiments.yml): dotted keys into a
 * context of params, `vars`, `item` and `key`; a string that is exactly one `${...}` keeps the value's
 * type, anything else is text; `\${` is a literal `${`.
 */

const PLACEHOLDER = /(\\)?\$\{\s*([^}]*?)\s*\}/g;

/** A reference the context cannot answer, or a value that cannot become text. */
export class TemplateError extends Error {}

function lookup(context: Record<string, unknown>, expression: string): unknown {
  if (!/^[A-Za-z0-9_\-@]+(?:(?:\.[A-Za-z0-9_\-@]+)|\[\d+\])*$/.test(expression)) {
    throw new TemplateError(`invalid reference \${${expression}}`);
  }
  const parts = expression.replace(/\[(\d+)\]/g, '.$1').split('.');
  let current: unknown = context;
  for (const part of parts) {
    if (current !== null && typeof current === 'object' && Object.hasOwn(current, part)) {
      current = (current as Record<string, unknown>)[part];
    } else {
      throw new TemplateError(`\${${expression}} is not defined (no "${part}")`);
    }
  }
  return current;
}

function asText(value: unknown, expression: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`\${${expression}} is ${Array.isArray(value) ? 'a list' : 'a mapping'}, not text`);
}

/**
 * Interpolates one string; returns the raw value when the whole string is one reference. `quote` is applied
 * to every substituted value inside a longer string (a shell command quotes them; DVC does not).
 */
export function interpolateString(
  text: string,
  context: Record<string, unknown>,
  quote: (value: string) => string = (value) => value,
): unknown {
  const whole = /^\$\{\s*([^}]*?)\s*\}$/.exec(text);
  if (whole) return lookup(context, whole[1]!);
  return text.replace(PLACEHOLDER, (_match, escaped: string | undefined, expression: string) =>
    escaped ? `\${${expression}}` : quote(asText(lookup(context, expression), expression)),
  );
}

/** Interpolates every string inside `value` (objects and lists are walked; keys are left alone). */
export function interpolate(value: unknown, context: Record<string, unknown>): unknown {
  if (typeof value === 'string') return interpolateString(value, context);
  if (Array.isArray(value)) return value.map((item) => interpolate(item, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, context)]));
  }
  return value;
}

/** Whether `text` holds a `${...}` reference (unescaped). */
export function hasReference(text: string): boolean {
  return [...text.matchAll(PLACEHOLDER)].some((match) => !match[1]);
}
