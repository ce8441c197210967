// Turns ajv's raw output for the GS1 schemas into one readable message per problem. The schemas
// express alternatives with anyOf and dispatch on event type with if/then, so ajv reports every
// failed branch and wrapper; those are merged or dropped here.

import type { ErrorObject } from 'ajv';
import { shortened } from '../../web/text.js';

export type ValidationError = { pointer: string; message: string };

/** The most characters of a value a message quotes: a value may be megabytes long. */
const QUOTED_CHARS = 100;
/** A value as a message quotes it: cut to QUOTED_CHARS whole characters. */
/** An extension name's prefix: a URI scheme's characters, then a colon. */
const PREFIXED = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * What an extension name must be (format uri: a prefix and a name, or a full URI, written in ASCII), with a name
 * that is: the one given, prefixed with "ex:" when it has no prefix, every character a URI does not take
 * percent-encoded (a Chinese name too).
 */
export function extensionNameRule(field: string, rule: string, fullUri: string): string {
  const named = PREFIXED.test(field) ? encodeURI(field) : `ex:${encodeURIComponent(field)}`;
  if (named === `ex:${field}`) return `${rule} (e.g. "${cited(named)}") ${fullUri}`;
  return `${rule} (e.g. "ex:remark") ${fullUri}, written in ASCII: percent-encode other characters (e.g. "${cited(named)}")`;
}

export const cited = (value: string) => shortened(value, QUOTED_CHARS);

const VALUE_KEYWORDS = new Set(['type', 'enum', 'format', 'pattern']);
const ALTERNATIVE = '/anyOf/';
const FORMATS: Record<string, string> = {
  'date-time': 'a date-time with a time zone offset (e.g. 2026-07-22T06:45:00+02:00)',
  uri: 'an absolute URI',
};
const PATTERNS: Record<string, string> = {
  eventTimeZoneOffset: 'a time zone offset such as +02:00 or -05:00',
  uom: 'a UN/CEFACT Rec. 20 unit code such as KGM',
};
const REQUIRED_HINTS: Record<string, string> = {
  '@context': ' (the JSON-LD context, e.g. "https://ref.gs1.org/standards/epcis/epcis-context.jsonld")',
};

function escapeSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function segments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** "/epcisBody/eventList/0/quantityList/1/quantity" → "quantityList[1].quantity" (events are named by their pointer). */
export function label(pointer: string, root: string): string {
  let path = segments(pointer);
  if (path[0] === 'epcisBody' && path[1] === 'eventList' && path.length >= 3) {
    path = path.slice(3);
    root = 'event';
  }
  if (path.length === 0) return root;
  return path.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function show(value: unknown): string {
  return cited(JSON.stringify(value) ?? String(value));
}

function expected(e: ErrorObject): string {
  switch (e.keyword) {
    case 'type':
      return String(e.params.type)
        .split(',')
        .map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`))
        .join(' or ');
    case 'enum': {
      const values = e.params.allowedValues as unknown[];
      if (values.length === 1) return show(values[0]);
      return values.length <= 12 ? `one of ${values.join(', ')}` : `one of the ${values.length} allowed values`;
    }
    case 'format':
      return FORMATS[e.params.format] ?? `a valid ${e.params.format}`;
    default: {
      const literal = /^\^(\w+)\$$/.exec(e.params.pattern);
      return literal ? show(literal[1]) : (PATTERNS[segments(e.instancePath).at(-1) ?? ''] ?? `in the form ${e.params.pattern}`);
    }
  }
}

function inside(pointer: string, root: string): boolean {
  return pointer === root || pointer.startsWith(`${root}/`);
}

type Branches = { required: string[]; anyOf: Map<string, Branches>; allOf: Map<string, Branches> };

const branches = (): Branches => ({ required: [], anyOf: new Map(), allOf: new Map() });

function render(node: Branches): string {
  const parts = [...node.required, ...[...node.allOf.values()].map(render), ...(node.anyOf.size > 0 ? [renderAlternatives(node)] : [])];
  return parts.map((p) => (parts.length > 1 && p.includes(' or ') ? `(${p})` : p)).join(' and ');
}

function renderAlternatives(node: Branches): string {
  const options = [...node.anyOf.values()].map(render);
  return options.map((o) => (options.length > 1 && o.includes(' and ') ? `(${o})` : o)).join(' or ');
}

// "must include epcList or quantityList or (sensorElementList and readPoint)", from the
// `required` errors of every failed branch: their schema paths below the anyOf give the shape.
function missingAlternatives(group: ErrorObject[], prefix: string): string {
  const root = branches();
  for (const e of group) {
    let node = root;
    const path = e.schemaPath
      .slice(prefix.length)
      .split('/')
      .filter((s) => s !== '');
    let kind: 'anyOf' | 'allOf' = 'anyOf';
    for (const s of path) {
      if (s === 'anyOf' || s === 'allOf') kind = s;
      else if (s === 'required') node.required.push(e.params.missingProperty);
      else {
        const children = node[kind];
        if (!children.has(s)) children.set(s, branches());
        node = children.get(s)!;
        kind = 'anyOf';
      }
    }
  }
  return renderAlternatives(root);
}

function valueError(e: ErrorObject, options: ErrorObject[], root: string): ValidationError {
  const allowed = [...new Set(options.map(expected))].join(' or ');
  return { pointer: e.instancePath, message: `${label(e.instancePath, root)} must be ${allowed}, got ${show(e.data)}` };
}

// Events are named by their type: "ObjectEvent must include…".
function subject(e: ErrorObject, root: string): string {
  const what = label(e.instancePath, root);
  const type = (e.data as { type?: unknown } | null)?.type;
  return what === 'event' && typeof type === 'string' ? type : what;
}

function hasCompleteBranch(anyOf: ErrorObject | undefined): boolean {
  const data = anyOf?.data;
  const options: unknown = anyOf?.schema;
  return (
    Array.isArray(options) &&
    typeof data === 'object' &&
    data !== null &&
    options.some(
      (branch: { required?: string[] }) =>
        branch.required !== undefined && branch.required.length > 0 && branch.required.every((field) => field in data),
    )
  );
}

function single(e: ErrorObject, root: string): ValidationError {
  const at = e.instancePath;
  const what = label(at, root);
  switch (e.keyword) {
    case 'required': {
      const field = String(e.params.missingProperty);
      const pointer = `${at}/${escapeSegment(field)}`;
      return { pointer, message: `${label(pointer, root)} is required${REQUIRED_HINTS[field] ?? ''}` };
    }
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema?.properties ?? {}) as object).join(', ');
      return {
        pointer: `${at}/${escapeSegment(field)}`,
        message: `${what} has unknown field "${cited(field)}"; allowed fields are ${allowed}`,
      };
    }
    case 'propertyNames': {
      const field = String(e.params.propertyName);
      const pointer = `${at}/${escapeSegment(field)}`;
      const message =
        segments(at).at(-1) === 'ilmd'
          ? `ilmd field "${cited(field)}" is not namespaced; ${extensionNameRule(field, 'ILMD fields are user extensions and need a prefix', 'or a full URI')}`
          : `${what} has unknown field "${cited(field)}"; ${extensionNameRule(field, 'user extension fields must be namespaced', 'or full URIs')}`;
      return { pointer, message };
    }
    case 'maxLength':
      // never quoted: the value may be megabytes long
      return { pointer: at, message: `${what} must be at most ${e.params.limit} characters, not ${(e.data as string).length}` };
    case 'minItems':
      return { pointer: at, message: `${what} must have at least ${e.params.limit} item(s)` };
    case 'uniqueItems':
      // ajv names the pair in either order, depending on how it compared them
      return {
        pointer: at,
        message: `${what} has duplicate items (${Math.min(e.params.i, e.params.j)} and ${Math.max(e.params.i, e.params.j)})`,
      };
    default:
      return VALUE_KEYWORDS.has(e.keyword) ? valueError(e, [e], root) : { pointer: at, message: `${what} ${e.message}` };
  }
}

/**
 * Readable errors for ajv's output. `covered` holds pointers the caller already reported
 * with its own checks; schema errors at or below them are dropped. `root` names the top value.
 */
export function schemaErrors(raw: ErrorObject[], covered: string[], root: string): ValidationError[] {
  // Errors about a property name sit at the object's pointer with the name as data (ajv marks
  // them with propertyName only outside $refs); the propertyNames error itself says it better.
  const names = new Set(raw.filter((e) => e.keyword === 'propertyNames').map((e) => `${e.instancePath}\n${e.params.propertyName}`));
  const errors = raw.filter(
    (e) =>
      e.keyword !== 'if' &&
      e.propertyName === undefined &&
      !(typeof e.data === 'string' && names.has(`${e.instancePath}\n${e.data}`)) &&
      !covered.some((c) => inside(e.instancePath, c)),
  );
  const out: ValidationError[] = [];
  const consumed = new Set<ErrorObject>();
  const unresolved: ErrorObject[] = [];

  // anyOf over plain values (bizTransaction type, @context…): one "must be A or B" message.
  errors.forEach((e, i) => {
    if (e.keyword !== 'anyOf') return;
    const options = errors
      .slice(0, i)
      .filter((o) => o.instancePath === e.instancePath && VALUE_KEYWORDS.has(o.keyword) && !consumed.has(o));
    for (const o of options) consumed.add(o);
    if (options.length === 0) unresolved.push(e);
    else out.push(valueError(e, options, root));
  });

  const missing = new Map<string, { prefix: string; errors: ErrorObject[] }>();
  const inBranch: ErrorObject[] = [];
  for (const e of errors) {
    if (consumed.has(e) || e.keyword === 'anyOf') continue;
    const alternative = e.schemaPath.indexOf(ALTERNATIVE);
    if (alternative < 0) out.push(single(e, root));
    else if (e.keyword === 'required') {
      const prefix = e.schemaPath.slice(0, alternative + ALTERNATIVE.length - 1);
      const key = `${e.instancePath}\n${prefix}`;
      missing.set(key, { prefix, errors: [...(missing.get(key)?.errors ?? []), e] });
    } else inBranch.push(e);
  }
  for (const { prefix, errors: group } of missing.values()) {
    const { instancePath } = group[0];
    const anyOf = errors.find((e) => e.keyword === 'anyOf' && e.instancePath === instancePath && e.schemaPath === prefix);
    // A branch whose fields are all present failed on their content, which is reported where it is wrong.
    if (hasCompleteBranch(anyOf)) continue;
    out.push({ pointer: instancePath, message: `${subject(group[0], root)} must include ${missingAlternatives(group, prefix)}` });
  }

  // An anyOf none of whose problems surfaced above: report what failed inside its branches.
  for (const e of unresolved) {
    if (out.some((o) => inside(o.pointer, e.instancePath)) || covered.some((c) => inside(c, e.instancePath))) continue;
    const causes = inBranch
      .filter((b) => b.instancePath !== e.instancePath && inside(b.instancePath, e.instancePath))
      .map((b) => single(b, root));
    out.push(
      causes.length === 1
        ? causes[0]
        : {
            pointer: e.instancePath,
            message: `${subject(e, root)} matches none of its allowed forms${causes.length > 0 ? `: ${causes.map((c) => c.message).join('; or ')}` : ''}`,
          },
    );
  }
  const seen = new Set<string>();
  return out.filter((o) => {
    const key = `${o.pointer}\n${o.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
