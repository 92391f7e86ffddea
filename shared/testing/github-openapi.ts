import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

/** The parts of GitHub's OpenAPI 3.0 description this test server reads. */
interface JsonSchema {
  [key: string]: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean | null;
  schema?: JsonSchema;
}
interface MediaType {
  schema?: JsonSchema;
  examples?: Record<string, { value?: unknown }>;
  example?: unknown;
}
interface Operation {
  operationId: string;
  /** Set when the operation is served elsewhere than the API (uploads: `https://uploads.github.com`). */
  servers?: { url: string }[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface Description {
  paths: Record<string, Record<string, Operation>>;
  /** Webhook event payloads, keyed `<event>-<action>` (e.g. `workflow-run-completed`). */
  'x-webhooks'?: Record<string, { post?: { requestBody?: { content?: Record<string, MediaType> } } }>;
}

/** One documented operation, found from a request's method and path. */
export interface MatchedOperation {
  /** The route as Octokit writes it, e.g. `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`. */
  route: string;
  operation: Operation;
  pathParams: Record<string, string>;
}

const require = createRequire(import.meta.url);
let description: Description | undefined;
const routes: { method: string; template: string; pattern: RegExp; names: string[] }[] = [];

/** GitHub's own description of api.github.com, from `@octokit/openapi` (dereferenced). Loaded once. */
function loadDescription(): Description {
  if (!description) {
    description = require('@octokit/openapi/generated/api.github.com.deref.json') as Description;
    for (const [template, methods] of Object.entries(description.paths)) {
      const names: string[] = [];
      const source = template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\{([^}]+)\}/g, (_, name: string) => {
          names.push(name);
          return '([^/]+)';
        });
      for (const method of Object.keys(methods)) {
        routes.push({ method: method.toUpperCase(), template, pattern: new RegExp(`^${source}$`), names });
      }
    }
    // A literal segment beats a parameter: `/repos/{o}/{r}/git/refs` must not match `/repos/{o}/{r}/{x}/...`.
    routes.sort((a, b) => a.names.length - b.names.length);
  }
  return description;
}

/** The documented operation for a request, or undefined when GitHub has no such endpoint. */
export function matchOperation(method: string, path: string): MatchedOperation | undefined {
  const paths = loadDescription().paths;
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathParams = Object.fromEntries(
      route.names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]),
    );
    return {
      route: `${method} ${route.template}`,
      operation: paths[route.template]![method.toLowerCase()]!,
      pathParams,
    };
  }
  return undefined;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** Validates `value` against a schema of the description; returns the problems, empty when valid. */
export function validateAgainst(schema: JsonSchema, value: unknown): string[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath ? `${error.instancePath} ` : ''}${error.message ?? 'is invalid'}`,
  );
}

function coerce(raw: string, schema: JsonSchema | undefined): unknown {
  const type = schema?.type;
  if (type === 'integer' || type === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/** Every way a request departs from the description: parameters, query names and types, body schema. */
export function checkRequest(
  matched: MatchedOperation,
  query: URLSearchParams,
  body: unknown,
  contentType: string | undefined,
): string[] {
  const problems: string[] = [];
  const parameters = matched.operation.parameters ?? [];
  for (const parameter of parameters) {
    if (parameter.in === 'path') {
      const value = matched.pathParams[parameter.name];
      if (value !== undefined && parameter.schema) {
        for (const problem of validateAgainst(parameter.schema, coerce(value, parameter.schema))) {
          problems.push(`path parameter ${parameter.name}: ${problem}`);
        }
      }
    }
    if (parameter.in === 'query') {
      const value = query.get(parameter.name);
      if (value === null) {
        if (parameter.required) problems.push(`missing required query parameter ${parameter.name}`);
      } else if (parameter.schema) {
        const schema = parameter.schema;
        const coerced = schema.type === 'array' ? query.getAll(parameter.name) : coerce(value, schema);
        for (const problem of validateAgainst(schema, coerced))
          problems.push(`query ${parameter.name}: ${problem}`);
      }
    }
  }
  const known = new Set(
    parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
  );
  for (const name of query.keys()) {
    if (!known.has(name)) problems.push(`undocumented query parameter ${name}`);
  }
  const requestBody = matched.operation.requestBody;
  if (body === undefined) {
    if (requestBody?.required) problems.push('missing required request body');
  } else if (!requestBody) {
    problems.push('a body was sent to an operation that takes none');
  } else if (isBinaryBody(matched)) {
    // The raw bytes of a file; its media type is the file's, which the Content-Type header must give.
    if (!contentType) problems.push('a raw body needs a content-type giving its media type');
    else if (!/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType))
      problems.push(`content-type ${contentType} is not a media type`);
    if (!Buffer.isBuffer(body)) problems.push('the body is not raw bytes');
  } else {
    const schema = requestBody.content?.['application/json']?.schema;
    if (!contentType?.includes('application/json'))
      problems.push(`content-type ${contentType ?? '(none)'} is not JSON`);
    if (schema) problems.push(...validateAgainst(schema, body).map((problem) => `body ${problem}`));
  }
  return problems;
}

/**
 * Whether the operation takes a file's raw bytes rather than JSON (uploading a release asset). GitHub
 * documents it as `application/octet-stream` and, in prose, accepts any media type in `Content-Type`.
 */
export function isBinaryBody(matched: MatchedOperation): boolean {
  const content = matched.operation.requestBody?.content ?? {};
  return !('application/json' in content) && content['application/octet-stream']?.schema?.format === 'binary';
}

/** The description's example response body for an operation and status, deep-copied; undefined if none. */
export function exampleResponse(matched: MatchedOperation, status: number): unknown {
  const media = matched.operation.responses[String(status)]?.content?.['application/json'];
  const example = media?.examples ? Object.values(media.examples)[0]?.value : media?.example;
  return example === undefined ? undefined : structuredClone(example);
}

/** Problems of a response body against the documented schema for its status. */
export function checkResponse(matched: MatchedOperation, status: number, body: unknown): string[] {
  const response = matched.operation.responses[String(status)];
  // GitHub answers any endpoint with a 5xx at times; the description documents them for none.
  if (!response) return status >= 500 ? [] : [`status ${status} is not documented for ${matched.route}`];
  const schema = response.content?.['application/json']?.schema;
  if (!schema || body === undefined) return [];
  return validateAgainst(schema, body).map((problem) => `response ${problem}`);
}

/**
 * Problems of a webhook event payload (what the runner writes to `GITHUB_EVENT_PATH`) against GitHub's
 * schema for it, e.g. `checkWebhookPayload('workflow-run-completed', payload)`; empty when valid.
 */
export function checkWebhookPayload(event: string, payload: unknown): string[] {
  const schema =
    loadDescription()['x-webhooks']?.[event]?.post?.requestBody?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`GitHub's description has no webhook ${event}`);
  return validateAgainst(schema, payload);
}
