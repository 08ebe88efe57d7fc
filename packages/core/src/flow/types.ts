import type { Locale, LocalizedText, Message, UserInfo } from '../types';

/** The type a declared flow variable holds. */
export type FlowVarType = 'string' | 'number' | 'boolean' | 'list';

/** A variable declaration: its type, or its type and a starting value. */
export type FlowVarDecl = FlowVarType | { type: FlowVarType; default?: unknown };

/**
 * A condition is data, never code. A leaf reads one value by path (`vars.x`, `user.name`,
 * `user.attributes.plan`, `context.page.url`) and applies exactly one operator; `all`, `any`
 * and `not` combine leaves.
 */
export type FlowCondition = (
  | { all: FlowCondition[] }
  | { any: FlowCondition[] }
  | { not: FlowCondition }
  | {
      var: string;
      eq?: unknown;
      ne?: unknown;
      gt?: number;
      gte?: number;
      lt?: number;
      lte?: number;
      contains?: unknown;
      /** A regular expression (at most 200 characters, no nested quantifiers or back references). */
      matches?: string;
      exists?: boolean;
      in?: unknown[];
      /** The date (`YYYY-MM-DD`, a date-time with its zone, or epoch ms) is at most this many days from now, either way. */
      withinDays?: number;
      /** On `now`: the moment falls within these hours. */
      hours?: FlowHours;
    }
) & { /** A note for people reading the file; ignored when the flow runs. */ $comment?: string };

/** Office hours in a time zone: on `days` (default every day), from `from` up to `to` (`HH:MM`; to before from runs overnight). */
export interface FlowHours {
  zone: string;
  days?: Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'>;
  from?: string;
  to?: string;
}

export type FlowInputType = 'text' | 'email' | 'phone' | 'number' | 'date';
export type TriageLevel = 'low' | 'medium' | 'high';

export interface FlowTriageHints {
  complexity?: TriageLevel;
  severity?: TriageLevel;
  effort?: TriageLevel;
  reason?: string;
  tags?: string[];
}

/** One step of a `set` node: a closed set of operations on a declared variable. */
export interface FlowSetOp {
  var: string;
  op: 'set' | 'copy' | 'add' | 'append' | 'remove' | 'clear';
  /** The literal value for set / add / append / remove. */
  value?: unknown;
  /** The path copied by `copy` (`user.email`, `context.page.title`…). */
  from?: string;
}

export interface FlowChoiceOption {
  id: string;
  label: LocalizedText;
  /** Where this option goes (not used by a `multiple` choice). */
  next?: string;
}

interface Waiting {
  /** `false` hides "Talk to a person" while this node waits (the validator warns). */
  allowHuman?: boolean;
}

export type FlowNode =
  | {
      type: 'message';
      text: LocalizedText;
      delayMs?: number;
      /** An image shown under the text (an https URL). */
      image?: { src: string; alt: LocalizedText };
      /** Link buttons: each an https URL (opened in a new tab) or a path on the site. */
      links?: Array<{ label: LocalizedText; url: string }>;
      /** Article cards: a title and a short text, opening a help-centre `article` in the panel, or a `url` (one of the two). */
      cards?: Array<{ title: LocalizedText; article?: string; url?: string; text?: LocalizedText }>;
      next?: string;
    }
  | (Waiting & {
      type: 'choice';
      text?: LocalizedText;
      options?: FlowChoiceOption[];
      /** Options built from a list variable: each item a string, or `{ id, label }`. */
      optionsFrom?: { var: string; next: string };
      /** Several options may be picked together; their ids are saved as a list, then the flow goes to `next`. */
      multiple?: boolean;
      /** Stores the chosen option's id (a list of ids for `multiple`). */
      save?: string;
      next?: string;
    })
  | (Waiting & {
      type: 'input';
      text: LocalizedText;
      input: FlowInputType;
      save: string;
      placeholder?: LocalizedText;
      /** Number: smallest / largest value. */
      min?: number;
      max?: number;
      minLength?: number;
      maxLength?: number;
      /** A regular expression the whole answer must match (at most 200 characters). */
      pattern?: string;
      retryText?: LocalizedText;
      /** Wrong answers allowed before `exhausted` (default 2). */
      maxRetries?: number;
      next: string;
      exhausted: string;
    })
  | { type: 'condition'; when: FlowCondition; then: string; else: string }
  | { type: 'set'; ops: FlowSetOp[]; next: string }
  | { type: 'goto'; target: string }
  | (Waiting & {
      type: 'search';
      query: LocalizedText;
      /** Stores the ids of the articles found (a list variable). */
      save?: string;
      found: string;
      notFound: string;
    })
  | { type: 'handoff'; text?: LocalizedText; note?: LocalizedText; hints?: FlowTriageHints; next?: string }
  | (Waiting & { type: 'survey'; scale: 'csat' | 'ces' | 'nps'; text?: LocalizedText; save?: string; next?: string })
  | (Waiting & { type: 'delay'; ms: number; next: string })
  | { type: 'split'; branches: Array<{ percent: number; next: string }> }
  | { type: 'callback'; name: string; data?: Record<string, unknown>; next?: string }
  | (Waiting & {
      type: 'request';
      /** The host page's `on('flow:request')` handler name, or … */
      handler?: string;
      /** … an endpoint: a path on this site, or an https URL the host allows (`flowRequests`). `{{…}}` values are URL-encoded. */
      url?: string;
      method?: 'GET' | 'POST';
      /** Parameters for the handler, or the JSON body of a POST; strings are templates. */
      body?: Record<string, unknown>;
      /** Default 8000, at most 30000. */
      timeoutMs?: number;
      /** Variable ← path in the response (`"status": "order.status"`); a missing or mistyped value takes `error`. */
      save?: Record<string, string>;
      ok: string;
      error: string;
      timeout: string;
    })
  | {
      type: 'flow';
      /** The id of another loaded flow: it runs with its own variables, then this flow goes on at `next`. */
      flow: string;
      /** Its variable ← a path here (`"order": "vars.order"`). */
      in?: Record<string, string>;
      /** A variable here ← its variable, when it ends. */
      out?: Record<string, string>;
      next?: string;
    }
  | { type: 'end'; text?: LocalizedText };

export type FlowNodeType = FlowNode['type'];

/** Who a flow starts for, where and when. Every field given must hold. */
export interface FlowTrigger {
  /** URL glob(s): `*` matches anything; a pattern starting with `/` is matched against the path. */
  url?: string | string[];
  /** A custom event name tracked by the host. */
  event?: string;
  /** Minimum time on the current page, in milliseconds. */
  timeOnPageMs?: number;
  visitor?: 'new' | 'returning';
  minVisits?: number;
  /** `user.attributes.plan` must be (one of) this. */
  plan?: string | string[];
  /** Any other condition over user and context. */
  when?: FlowCondition;
  /** Percentage of users (0–100) who get the flow, bucketed stably by user id. */
  rollout?: number;
  frequency?: 'always' | 'once-per-user' | 'once-per-session';
}

export interface Flow {
  $schema?: string;
  id: string;
  version: string | number;
  /** The locale(s) this flow's text covers; text maps missing one are warned about. */
  locale?: string | string[];
  start: string;
  variables?: Record<string, FlowVarDecl>;
  trigger?: FlowTrigger;
  nodes: Record<string, FlowNode>;
}

export interface FlowEnv {
  locale: Locale;
  /** Stable user id for split nodes. */
  bucketKey: string;
  seed?: number;
  now?: () => number;
  user: UserInfo;
  /** A snapshot of the page context (`context.page.title`…). */
  context: Record<string, unknown>;
  /** Other flows by id, for `flow` nodes (sub-flows). */
  flows?: Record<string, Flow>;
  /** Starting values from the host (`startFlow(id, { vars })`): declared variables of the right type only. */
  vars?: Record<string, unknown>;
}

/** Persisted between reloads; plain JSON. */
export interface FlowState {
  flowId: string;
  /** Content hash of the flow file the state was made with. */
  hash: string;
  /** Content hash of the node at the cursor, to resume across harmless edits. */
  nodeHash: string;
  /** The node waiting for input, or null before start / after the end. */
  cursor: string | null;
  vars: Record<string, unknown>;
  retries: number;
  seed: number;
  /** Epoch ms a delay node finishes at. */
  until?: number;
  /** Sub-flows running: each the flow called, the calling node and the caller's variables. */
  calls?: Array<{ flow: string; from: string; vars: Record<string, unknown> }>;
  done: boolean;
}

export interface FlowOption {
  id: string;
  label: string;
}

export type FlowWait = { node: string; allowHuman: boolean; error?: string } & (
  | { kind: 'choice'; options: FlowOption[]; multiple?: boolean }
  | { kind: 'input'; input: FlowInputType; placeholder?: string }
  | { kind: 'survey'; scale: 'csat' | 'ces' | 'nps' }
  | { kind: 'search'; query: string }
  | { kind: 'delay'; ms: number }
  | ({ kind: 'request' } & FlowRequest)
);

/** What a request node asks the messenger to fetch. */
export interface FlowRequest {
  handler?: string;
  url?: string;
  method: 'GET' | 'POST';
  body?: Record<string, unknown>;
  timeoutMs: number;
}

export type FlowAction =
  | { type: 'search'; query: string }
  | { type: 'handoff'; note?: string; hints?: FlowTriageHints; answers: Record<string, unknown> }
  | { type: 'survey'; scale: 'csat' | 'ces' | 'nps' }
  | { type: 'callback'; name: string; data: Record<string, unknown> }
  | ({ type: 'request'; node: string } & FlowRequest);

export type FlowInput =
  | { type: 'choice'; id: string }
  | { type: 'choices'; ids: string[] }
  | { type: 'text'; value: string }
  | { type: 'search-result'; found: boolean; articleIds: string[] }
  | { type: 'survey'; score: number }
  | { type: 'timer' }
  | { type: 'request-result'; status: 'ok' | 'error' | 'timeout'; data?: unknown };

/** A bot message: text in the safe Markdown subset (user values already escaped), and a message node's image, link buttons and cards as plain text and URLs. */
export type FlowMessage = { text: string; delayMs?: number } & Pick<Message, 'image' | 'links' | 'cards'>;

export interface FlowTurn {
  messages: FlowMessage[];
  actions: FlowAction[];
  wait: FlowWait | null;
  done: boolean;
  /** Set when the run-time step guard stopped a runaway flow. */
  error?: string;
}

export interface FlowRunner {
  /** Begins the flow, or re-presents the node a restored state waits at. */
  start(): FlowTurn;
  reply(input: FlowInput): FlowTurn;
  /** "Talk to a person" while the flow waits: a handoff with the answers so far, and the flow ends (unless the node sets allowHuman: false). */
  handOff(): FlowTurn;
  readonly state: FlowState;
  /** The saved state no longer fitted the flow file, so the flow started over. */
  readonly restarted: boolean;
}

export interface TriggerEnv {
  /** The flow's id: salts the rollout bucket so flows ramp independently. */
  flowId: string;
  bucketKey: string;
  url: string;
  event?: string;
  timeOnPageMs?: number;
  /** Visits so far, this one included. */
  visits?: number;
  user: UserInfo;
  context: Record<string, unknown>;
  seenByUser?: boolean;
  seenInSession?: boolean;
  /** The time, epoch ms (default: now), for `now` in `when`. */
  now?: number;
}
