/**
 * A small evaluator for GitHub Actions expressions (`${{ ... }}`), enough to run composite actions the
 * way the runner does in tests: literals, context paths (`steps.cache.outputs.cache-hit`,
 * `inputs['out']`), `!`, `==`, `!=`, `&&`, `||`, parentheses, and the functions `success()`,
 * `failure()`, `always()`, `cancelled()`, `format()`, `join()`, `toJSON()`, `contains()`, `startsWith()`,
 * `endsWith()`, and object filters (`needs.*.result`).
 * Anything else throws, so an action.yml that outgrows it fails its test instead of passing wrongly.
 */

export type ExpressionValue = string | number | boolean | null | ExpressionObject | ExpressionValue[];
export interface ExpressionObject {
  [key: string]: ExpressionValue | undefined;
}

export interface ExpressionScope {
  contexts: Record<string, ExpressionValue>;
  /** Whether every earlier step succeeded, for `success()` and `failure()`. */
  succeeded: boolean;
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'word'; value: string }
  | { kind: 'op'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at]!;
    if (/\s/.test(char)) {
      at++;
    } else if (char === "'") {
      let value = '';
      at++;
      for (;;) {
        if (at >= source.length) throw new Error(`unterminated string in expression: ${source}`);
        if (source[at] === "'" && source[at + 1] === "'") {
          value += "'";
          at += 2;
        } else if (source[at] === "'") {
          at++;
          break;
        } else {
          value += source[at++];
        }
      }
      tokens.push({ kind: 'string', value });
    } else if (/[0-9]/.test(char)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(at))![0];
      tokens.push({ kind: 'number', value: Number(match) });
      at += match.length;
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(at))![0];
      tokens.push({ kind: 'word', value: match });
      at += match.length;
    } else {
      const two = source.slice(at, at + 2);
      if (['==', '!=', '&&', '||', '<=', '>='].includes(two)) {
        tokens.push({ kind: 'op', value: two });
        at += 2;
      } else if ('!()[].,<>*'.includes(char)) {
        tokens.push({ kind: 'op', value: char });
        at++;
      } else {
        throw new Error(`unexpected "${char}" in expression: ${source}`);
      }
    }
  }
  return tokens;
}

function truthy(value: ExpressionValue | undefined): boolean {
  return !(value === undefined || value === null || value === false || value === 0 || value === '');
}

/** Loose equality as GitHub defines it: case-insensitive for strings, numeric coercion otherwise. */
function looseEquals(left: ExpressionValue | undefined, right: ExpressionValue | undefined): boolean {
  const l = left ?? null;
  const r = right ?? null;
  if (typeof l === 'string' && typeof r === 'string') return l.toLowerCase() === r.toLowerCase();
  if (typeof l === 'object' || typeof r === 'object') return l === r;
  const number = (value: string | number | boolean | null) =>
    value === null ? 0 : typeof value === 'boolean' ? Number(value) : value === '' ? 0 : Number(value);
  return number(l) === number(r);
}

/** Renders a value as the runner does when it is put into a string. */
export function expressionToString(value: ExpressionValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

class Parser {
  private at = 0;
  private readonly tokens: Token[];
  private readonly scope: ExpressionScope;
  private readonly source: string;

  constructor(tokens: Token[], scope: ExpressionScope, source: string) {
    this.tokens = tokens;
    this.scope = scope;
    this.source = source;
  }

  parse(): ExpressionValue | undefined {
    const value = this.or();
    if (this.at < this.tokens.length) this.fail('unexpected trailing input');
    return value;
  }

  private fail(reason: string): never {
    throw new Error(`${reason} in expression: ${this.source}`);
  }

  private peek(value: string): boolean {
    const token = this.tokens[this.at];
    return token?.kind === 'op' && token.value === value;
  }

  private expect(value: string) {
    if (!this.peek(value)) this.fail(`expected "${value}"`);
    this.at++;
  }

  private or(): ExpressionValue | undefined {
    let left = this.and();
    while (this.peek('||')) {
      this.at++;
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  private and(): ExpressionValue | undefined {
    let left = this.comparison();
    while (this.peek('&&')) {
      this.at++;
      const right = this.comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  }

  private comparison(): ExpressionValue | undefined {
    const left = this.unary();
    if (this.peek('==') || this.peek('!=')) {
      const negate = this.peek('!=');
      this.at++;
      const equal = looseEquals(left, this.unary());
      return negate ? !equal : equal;
    }
    return left;
  }

  private unary(): ExpressionValue | undefined {
    if (this.peek('!')) {
      this.at++;
      return !truthy(this.unary());
    }
    return this.postfix(this.primary());
  }

  private postfix(start: ExpressionValue | undefined): ExpressionValue | undefined {
    let value = start;
    for (;;) {
      if (this.peek('.')) {
        this.at++;
        if (this.peek('*')) {
          // Object filter: `needs.*.result` is the list of every job's result.
          this.at++;
          value =
            value && typeof value === 'object'
              ? Object.values(value).filter((item) => item !== undefined)
              : [];
          continue;
        }
        const name = this.tokens[this.at++];
        if (name?.kind !== 'word') this.fail('expected a property name');
        value = this.property(value, name.value);
      } else if (this.peek('[')) {
        this.at++;
        const key = this.or();
        this.expect(']');
        value = this.property(value, expressionToString(key));
      } else {
        return value;
      }
    }
  }

  private property(value: ExpressionValue | undefined, name: string): ExpressionValue | undefined {
    if (Array.isArray(value)) {
      return value.map((item) => this.property(item, name)).filter((item) => item !== undefined);
    }
    if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
      return undefined;
    }
    // Property names are case-insensitive in expressions.
    const key = Object.keys(value).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : value[key];
  }

  private primary(): ExpressionValue | undefined {
    const token = this.tokens[this.at++];
    if (!token) this.fail('unexpected end');
    if (token.kind === 'string' || token.kind === 'number') return token.value;
    if (token.kind === 'op') {
      if (token.value !== '(') this.fail(`unexpected "${token.value}"`);
      const value = this.or();
      this.expect(')');
      return value;
    }
    if (token.value === 'true') return true;
    if (token.value === 'false') return false;
    if (token.value === 'null') return null;
    if (this.peek('(')) return this.call(token.value);
    // Context names are case-insensitive too.
    const context = Object.keys(this.scope.contexts).find(
      (name) => name.toLowerCase() === token.value.toLowerCase(),
    );
    if (context === undefined) this.fail(`unknown context "${token.value}"`);
    return this.scope.contexts[context];
  }

  private call(name: string): ExpressionValue {
    this.expect('(');
    const args: (ExpressionValue | undefined)[] = [];
    while (!this.peek(')')) {
      args.push(this.or());
      if (!this.peek(')')) this.expect(',');
    }
    this.expect(')');
    const text = args.map(expressionToString);
    switch (name.toLowerCase()) {
      case 'success':
        return this.scope.succeeded;
      case 'failure':
        return !this.scope.succeeded;
      case 'always':
        return true;
      case 'cancelled':
        return false;
      case 'format':
        return text[0]!.replace(/\{(\d+)\}/g, (_, index: string) => text[Number(index) + 1] ?? '');
      case 'join': {
        const list = args[0];
        return Array.isArray(list) ? list.map(expressionToString).join(text[1] ?? ',') : text[0]!;
      }
      case 'tojson':
        return JSON.stringify(args[0] ?? null, null, 2);
      case 'contains':
        return text[0]!.toLowerCase().includes(text[1]!.toLowerCase());
      case 'startswith':
        return text[0]!.toLowerCase().startsWith(text[1]!.toLowerCase());
      case 'endswith':
        return text[0]!.toLowerCase().endsWith(text[1]!.toLowerCase());
      default:
        return this.fail(`function ${name}() is not supported by this evaluator`);
    }
  }
}

/** Evaluates one expression (the text inside `${{ }}`, or a bare `if:` condition). */
export function evaluateExpression(source: string, scope: ExpressionScope): ExpressionValue | undefined {
  return new Parser(tokenize(source), scope, source).parse();
}

/** Replaces every `${{ ... }}` in `template` with its value, as the runner does for `with:`, `env:`, `run:`. */
export function interpolate(template: string, scope: ExpressionScope): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) =>
    expressionToString(evaluateExpression(expression, scope)),
  );
}

/**
 * Evaluates a step's `if:` as the runner does: absent means `success()`, and a condition that calls
 * none of the status functions is implicitly `success() && (condition)`.
 */
export function evaluateCondition(condition: string | boolean | undefined, scope: ExpressionScope): boolean {
  if (condition === undefined) return scope.succeeded;
  if (typeof condition === 'boolean') return condition && scope.succeeded;
  const inner = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const value = truthy(evaluateExpression(inner, scope));
  return /\b(success|failure|always|cancelled)\s*\(/i.test(inner) ? value : value && scope.succeeded;
}
