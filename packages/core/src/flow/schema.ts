import { MAX_PATTERN } from './pattern';
import { FLOW_DAYS } from './text';
import { FLOW_LIMITS } from './limits';
import {
  FLOW_CONTEXT,
  FLOW_LEAF_FIELDS,
  FLOW_NODE_FIELDS,
  FLOW_ROOT_FIELDS,
  FLOW_SUB_FIELDS,
  FLOW_VAR_TYPES,
  HTTPS,
  rules,
  SITE_URL,
} from './validate';

type Schema = Record<string, unknown>;

const NODE_ID = '^[A-Za-z][\\w-]{0,63}$';
const WAITING = 'false hides "Talk to a person" while this node waits (the validator warns).';
const TARGET = 'The id of another node in this flow.';
const SAVE = 'A variable declared in "variables".';

/** What each node and field is for, shown by editors that read the schema. */
const DESCRIPTIONS: Record<string, string> = {
  message: 'Says something, then goes on to next (or ends).',
  'message.delayMs': 'Show a typing indicator this long first.',
  'message.image': 'An image under the text (https).',
  'message.links': 'Link buttons: each an https URL (opened in a new tab) or a path on this site.',
  'message.cards': 'Article cards: a title and a short text, opening a help-centre article (article: its id) in the panel, or a url.',
  choice: 'Waits for the user to pick one option. Needs options or optionsFrom.',
  'choice.optionsFrom': 'Options from a list variable: strings, or { id, label } objects.',
  input: 'Asks for typed text and checks it.',
  'input.pattern': `A regular expression the answer must match (at most ${MAX_PATTERN} characters and a size of ${FLOW_LIMITS.patternSteps} steps per character, for all of a flow's patterns together; no back references or lookaround; matching is linear).`,
  'input.maxRetries': 'Wrong answers allowed before exhausted (default 2).',
  'input.exhausted': 'Where to go when the retries run out.',
  condition: 'Branches on data: then when the condition holds, else otherwise.',
  set: 'Changes variables.',
  goto: 'Jumps to another node.',
  search: 'Searches the help centre; goes to found or notFound.',
  handoff: 'Hands the conversation to a person with a note and triage hints.',
  survey: 'Asks for a CSAT (1-5), CES (1-7) or NPS (0-10) score.',
  delay: 'Waits a while before going on.',
  split: 'A/B split, stable per user; percentages (0-100 each) add up to 100.',
  callback: "Asks the host page to do something (an on('flow:callback') handler).",
  request:
    "Looks something up through the host page (an on('flow:request') handler) or an endpoint the host allows, saves parts of the answer into variables, and goes on at ok, error or timeout.",
  'request.save': 'Variable name: path in the response (order.status). A missing or mistyped value takes the error exit.',
  flow: 'Runs another loaded flow with its own variables, then goes on at next.',
  'flow.in': 'Its variable: a path here (vars.order).',
  'flow.out': 'A variable here: its variable, copied when it ends.',
  end: 'Ends the flow.',
  text: 'Text in the safe Markdown subset. {{vars.x}}, {{user.name}}, {{context.page.title}} are filled in, escaped.',
  condition0: `{ "var": "vars.x", "<op>": value } or { "all": [...] } / { "any": [...] } / { "not": {...} }, nested at most ${FLOW_LIMITS.conditionDepth} levels.`,
  'trigger.url': 'Glob(s): * matches anything; a pattern starting with / matches the path.',
  'trigger.rollout': 'Percentage of users (0-100) who get the flow, stable per user.',
  'flow.locale': 'The locale(s) the text covers.',
};

/** A path a condition or a copy may read: vars.…, user.…, or a context path the widget sets. */
function pathPattern(): string {
  const context = new Set<string>();
  for (const k of Object.keys(FLOW_CONTEXT)) k.split('.').forEach((_, i, parts) => context.add(parts.slice(0, i + 1).join('.')));
  const esc = [...context].map((c) => c.replace(/\./g, '\\.')).join('|');
  return `^(now|vars\\..+|user\\.(id|name|email|attributes(\\..*)?)|context\\.(${esc}))$`;
}

/** The JSON Schema of one field kind of the validator's rule lists (see `FLOW_NODE_FIELDS`). */
function kindSchema(kind: string, where: string): Schema {
  const k0 = kind[0];
  const described = (s: Schema) => (DESCRIPTIONS[where] ? { ...s, description: DESCRIPTIONS[where] } : s);
  if (k0 in FLOW_SUB_FIELDS) {
    const ref = { $ref: `#/$defs/${subName(k0)}` };
    return described('orpkq'.includes(k0) ? { type: 'array', minItems: 1, items: ref } : ref);
  }
  const plain: Record<string, Schema> = {
    t: { $ref: '#/$defs/text' },
    n: { type: 'string', description: TARGET },
    N: { type: 'number' },
    P: { type: 'number', minimum: 0, maximum: 100 },
    T: { type: 'integer', minimum: 100, maximum: FLOW_LIMITS.requestMs },
    U: { type: 'string', pattern: SITE_URL.source },
    S: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
    W: { type: 'object', additionalProperties: { type: 'string', pattern: pathPattern() } },
    z: { type: 'string', minLength: 1, description: 'An IANA time zone, such as Asia/Tokyo.' },
    H: { type: 'string', pattern: HTTPS.source },
    D: { type: 'array', minItems: 1, items: { enum: FLOW_DAYS } },
    m: { type: 'string', pattern: '^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$' },
    I: { type: 'integer', minimum: 0 },
    b: { type: 'boolean' },
    s: { type: 'string', minLength: 1 },
    V: { type: ['string', 'number'] },
    u: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    v: { type: 'string', description: SAVE },
    x: { type: 'string', maxLength: MAX_PATTERN },
    c: { $ref: '#/$defs/condition0' },
    d: { type: 'object' },
    L: { type: 'array' },
    a: {},
  };
  if (k0 == 'e') return described({ enum: kind.split('/').slice(1) });
  if (k0 == 'M')
    return {
      type: 'object',
      minProperties: 1,
      maxProperties: FLOW_LIMITS.nodes,
      propertyNames: { pattern: NODE_ID },
      additionalProperties: { $ref: '#/$defs/node' },
    };
  const s = plain[k0];
  if (!s) throw new Error(`no schema for the field kind "${kind}"`);
  if (k0 == 'n' && DESCRIPTIONS[where]) return { ...s, description: DESCRIPTIONS[where] };
  return described(s);
}

const subName = (k0: string) => ({ g: 'trigger', h: 'hints', f: 'optionsFrom', o: 'option', r: 'branch', p: 'setOp', w: 'hours', i: 'image', k: 'link', q: 'card' })[k0]!;

/** An object schema from a field spec: `$comment` allowed, nothing else unknown. */
function objectSchema(spec: string, name: string, extra: Schema = {}): Schema {
  const properties: Record<string, Schema> = { ...(extra.properties as Schema), $comment: { type: 'string' } };
  const required: string[] = (extra.required as string[]) ?? [];
  for (const [k, kind, optional] of rules(spec)) {
    properties[k] = kindSchema(kind, `${name}.${k}`);
    if (k == 'allowHuman') properties[k] = { type: 'boolean', description: WAITING };
    if (!optional) required.push(k);
  }
  const out: Schema = { type: 'object' };
  if (DESCRIPTIONS[name]) out.description = DESCRIPTIONS[name];
  return { ...out, ...extra, properties, required, additionalProperties: false };
}

/** Condition levels 0..limit: a level may hold all / any / not only of the next one, so depth is bounded. */
function conditionDefs(): Record<string, Schema> {
  const defs: Record<string, Schema> = {};
  const comment = { $comment: { type: 'string' } };
  const leafProps: Record<string, Schema> = { var: { type: 'string', pattern: pathPattern() }, ...comment };
  const ops = rules(FLOW_LEAF_FIELDS);
  for (const [k, kind] of ops) leafProps[k] = kindSchema(kind, `leaf.${k}`);
  // "var", exactly one operator, and perhaps a note.
  defs.conditionLeaf = { type: 'object', properties: leafProps, required: ['var'], oneOf: ops.map(([k]) => ({ required: [k] })), additionalProperties: false };
  const limit = FLOW_LIMITS.conditionDepth;
  for (let d = 0; d <= limit; d++) {
    const next = { $ref: `#/$defs/condition${d + 1}` };
    const group = (k: string, s: Schema) => ({ type: 'object', properties: { [k]: s, ...comment }, required: [k], additionalProperties: false });
    const oneOf =
      d == limit
        ? [{ $ref: '#/$defs/conditionLeaf' }]
        : [{ $ref: '#/$defs/conditionLeaf' }, group('all', { type: 'array', minItems: 1, items: next }), group('any', { type: 'array', minItems: 1, items: next }), group('not', next)];
    defs[`condition${d}`] = d == 0 ? { description: DESCRIPTIONS.condition0, oneOf } : { oneOf };
  }
  return defs;
}

const varTypes = FLOW_VAR_TYPES.split('/').slice(1);
const JSON_TYPE: Record<string, string> = { string: 'string', number: 'number', boolean: 'boolean', list: 'array' };

/** The flow JSON Schema, generated from the validator's own rules so the two cannot drift apart. */
export function flowJsonSchema(): Schema {
  const defs: Record<string, Schema> = {};
  for (const [type, spec] of Object.entries(FLOW_NODE_FIELDS)) {
    const extra: Schema = { properties: { type: { const: type } }, required: ['type'] };
    if (type == 'choice') {
      extra.oneOf = [{ required: ['options'] }, { required: ['optionsFrom'] }];
      const noNext = { not: { required: ['next'] } };
      extra.allOf = [
        {
          if: { properties: { multiple: { const: true } }, required: ['multiple'] },
          then: { if: { required: ['options'] }, then: { required: ['next'] }, else: noNext },
          else: { ...noNext, properties: { options: { type: 'array', items: { type: 'object', required: ['next'] } } } },
        },
      ];
    }
    if (type == 'request') extra.oneOf = [{ required: ['handler'] }, { required: ['url'] }];
    defs[type] = objectSchema(spec, type, extra);
  }
  for (const [k0, [spec]] of Object.entries(FLOW_SUB_FIELDS)) defs[subName(k0)] = objectSchema(spec, subName(k0));
  defs.card.oneOf = [{ required: ['article'] }, { required: ['url'] }];
  const needs = (ops: string[], then: Schema) => ({ if: { properties: { op: { enum: ops } }, required: ['op'] }, then });
  defs.setOp.allOf = [
    needs(['set', 'add', 'append', 'remove'], { required: ['value'] }),
    needs(['add'], { properties: { value: { type: 'number' } } }),
    needs(['copy'], { required: ['from'], properties: { from: { type: 'string', pattern: pathPattern() } } }),
  ];
  defs.text = {
    oneOf: [
      { type: 'string' },
      { type: 'object', additionalProperties: { type: 'string' }, minProperties: 1, description: 'One string per locale, e.g. { "en": "…", "ja": "…" }' },
    ],
    description: DESCRIPTIONS.text,
  };
  Object.assign(defs, conditionDefs());
  defs.node = {
    type: 'object',
    required: ['type'],
    properties: { type: { enum: Object.keys(FLOW_NODE_FIELDS) } },
    allOf: Object.keys(FLOW_NODE_FIELDS).map((type) => ({ if: { properties: { type: { const: type } } }, then: { $ref: `#/$defs/${type}` } })),
  };
  defs.variable = {
    oneOf: [
      { enum: varTypes },
      {
        type: 'object',
        properties: { $comment: { type: 'string' }, type: { enum: varTypes }, default: {} },
        required: ['type'],
        additionalProperties: false,
        allOf: varTypes.map((t) => ({ if: { properties: { type: { const: t } } }, then: { properties: { default: { type: JSON_TYPE[t] } } } })),
      },
    ],
  };
  const root = objectSchema(FLOW_ROOT_FIELDS, 'flow');
  (root.properties as Record<string, Schema>).variables = { type: 'object', additionalProperties: { $ref: '#/$defs/variable' } };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://madoguchi.dev/schema/flow.schema.json',
    title: 'Madoguchi bot flow',
    $comment: `Generated from the validator's rules (packages/core/src/flow/schema.ts). Also enforced by validateFlow only: node references, declared and typed variables, conditions that the type or the known values of their path settle (such as now, a number, compared with a string), reachability, loops without a wait, runs over ${FLOW_LIMITS.steps} nodes per turn, split totals, pattern syntax and sizes (each, and all of a flow's together, at most ${FLOW_LIMITS.patternSteps} steps per character), and nesting over ${FLOW_LIMITS.depth} levels.`,
    ...root,
    $defs: defs,
  };
}
