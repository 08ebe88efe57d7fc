import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { checkFlowCalls, createFlowRunner, flowStamp, flowToMermaid, validateFlow, type Flow, type FlowInput, type FlowRunner, type FlowTurn } from '@madoguchi/core';
import type { Locale, Problem, UserInfo } from '@madoguchi/core';
import { runGroup, type CommandGroup } from './command';
import type { CliIO } from './io';

/** One expected turn of a transcript: what the user does, then what the bot must answer. */
interface TranscriptTurn {
  say?: string;
  /** An option id, or several for a `multiple` choice. */
  choose?: string | string[];
  input?: FlowInput;
  /** Rebuild the runner from its saved state, as after a page reload, then start it. */
  reload?: boolean;
  /** Press "Talk to a person". */
  human?: boolean;
  /** Answer the waiting request node: its data, or that it failed or timed out. */
  respond?: unknown;
  fail?: boolean;
  timeout?: boolean;
  /** Change the flow file (`"nodes.ask.text": "…"`, null removes), then reload from the saved state. */
  edit?: Record<string, unknown>;
  bot?: string[];
  actions?: unknown[];
  wait?: string | Record<string, unknown> | null;
  done?: boolean;
  error?: string;
}

interface TranscriptRun {
  name?: string;
  locale?: Locale;
  user?: UserInfo;
  context?: Record<string, unknown>;
  bucketKey?: string;
  seed?: number;
  now?: number;
  turns: TranscriptTurn[];
}

/** `madoguchi flow …`: one entry per subcommand. */
export const flowCommands: CommandGroup = {
  validate: {
    description: 'check flow files; exit 1 on any error',
    args: '<files>...',
    options: { json: { type: 'boolean', description: 'print the results as JSON' } },
    run: ({ args, options }, io) => validateFiles(args, !!options.json, io),
  },
  build: {
    description: 'check flow files and write the flow index the widget loads (triggers in one small file)',
    args: '<files>...',
    options: { out: { type: 'string', value: '<index.json>', description: 'where to write the index (default flows.index.json)' } },
    run: ({ args, options }, io) => buildIndex(args, (options.out as string | undefined) ?? 'flows.index.json', io),
  },
  test: {
    description: 'run a flow against an expected transcript; exit 1 on a mismatch',
    args: '<flow.json> <transcript.json>',
    run: ({ args }, io) => testTranscript(args[0], args[1], io),
  },
  graph: {
    description: 'print the flow as a Mermaid diagram',
    args: '<flow.json>',
    options: { locale: { type: 'string', value: '<locale>', description: 'language of the node labels (default en)' } },
    run: async ({ args, options }, io) => {
      const flow = await loadFlow(args[0], io);
      if (!flow) return 1;
      io.stdout(flowToMermaid(flow, (options.locale as string | undefined) ?? 'en'));
      return 0;
    },
  },
  preview: {
    description: 'a local page: the widget running the flow beside its diagram, reloading on change',
    args: '<flow.json>',
    options: {
      port: { type: 'string', value: '<port>', description: 'port to serve on (default: a free one)' },
      locale: { type: 'string', value: '<locale>', description: 'language of the widget and the labels (default en)' },
    },
    run: async ({ args, options }, io) => {
      const { previewFlow } = await import('./preview');
      return previewFlow(resolve(io.cwd, args[0]!), io, { port: Number(options.port ?? 0), locale: options.locale as string | undefined });
    },
  },
};

/** `madoguchi flow validate | test | graph`. */
export const flowCommand = (args: string[], io: CliIO): Promise<number> => runGroup('flow', flowCommands, args, io);

async function readText(file: string, io: CliIO): Promise<string | Problem> {
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    return { path: '$', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
}

const printProblems = (kind: string, list: Problem[]) => list.map((p) => `  ${kind} ${p.path}: ${p.message}\n`).join('');

/**
 * A flow file and the flows its `flow` nodes call, each read from `<id>.json` beside it, checked
 * together as the widget checks the flows it loads.
 */
export async function loadFlowSet(file: string, io: CliIO): Promise<{ flow: Flow; flows: Record<string, Flow> } | undefined> {
  const flow = await loadFlow(file, io);
  if (!flow) return;
  const flows: Record<string, Flow> = { [flow.id]: flow };
  const todo = [flow];
  for (let f; (f = todo.pop()); )
    for (const node of Object.values(f.nodes))
      if (node.type == 'flow' && !Object.hasOwn(flows, node.flow) && /^[\w.-]+$/.test(node.flow)) {
        const sub = join(dirname(file), `${node.flow}.json`);
        const text = await readText(sub, io);
        if (typeof text != 'string') continue;
        const r = validateFlow(text);
        if (!r.flow) return void io.stderr(`${sub}: the flow is invalid\n${printProblems('error', r.errors)}`);
        flows[node.flow] = r.flow;
        todo.push(r.flow);
      }
  const problems = checkFlowCalls(Object.values(flows));
  if (problems.length) return void io.stderr(`${file}: its sub-flows do not fit\n${printProblems('error', problems)}`);
  return { flow, flows };
}

/** Names that reach an object's prototype instead of a field: an edit through them would change every object. */
const UNSAFE_KEY = /^(__proto__|constructor|prototype)$/;

/**
 * Sets `a.b.c` in a copy of the flow; null removes the field. A transcript is not trusted: only
 * the flow's own fields are walked, and a path through a prototype name is refused.
 */
function editFlow(flow: Flow, edits: Record<string, unknown>): unknown {
  const copy = JSON.parse(JSON.stringify(flow));
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split('.');
    const bad = keys.find((k) => UNSAFE_KEY.test(k));
    if (bad !== undefined) throw new Error(`"${path}": "${bad}" is not a field a flow can have`);
    const last = keys.pop()!;
    const parent = keys.reduce((o, k) => (o && typeof o == 'object' && Object.hasOwn(o, k) ? o[k] : undefined), copy);
    if (!parent || typeof parent != 'object') throw new Error(`"${path}" is not a place in the flow`);
    if (value === null) delete parent[last];
    else parent[last] = value;
  }
  return copy;
}

async function loadFlow(file: string, io: CliIO): Promise<Flow | undefined> {
  const text = await readText(file, io);
  const result = typeof text == 'string' ? validateFlow(text) : { errors: [text], warnings: [] };
  if (result.flow) return result.flow;
  io.stderr(`${file}: the flow is invalid\n${printProblems('error', result.errors)}`);
}

type FileResult = { file: string; ok: boolean; errors: Problem[]; warnings: Problem[] };

/**
 * Validates flow files and checks them together, as the widget checks the flows it loads: a flow
 * called but not given is read from `<id>.json` beside its caller, and its problems go to the
 * caller's file. Returns each file's result and every valid flow by id with the file it came from.
 */
async function checkFiles(files: string[], io: CliIO) {
  const results: FileResult[] = [];
  /** Each valid flow by id, with its file, its text and the result its problems across flows go to. */
  const flows = new Map<string, { flow: Flow; file: string; text: string; result: FileResult }>();
  for (const file of files) {
    const text = await readText(file, io);
    const { flow, errors, warnings } = typeof text == 'string' ? validateFlow(text) : { errors: [text], warnings: [] };
    const result = { file, ok: !errors.length, errors, warnings };
    results.push(result);
    if (flow) flows.set(flow.id, { flow, file, text: text as string, result });
  }
  for (const { flow, file } of flows.values())
    for (const node of Object.values(flow.nodes))
      if (node.type == 'flow' && !flows.has(node.flow) && /^[\w.-]+$/.test(node.flow)) {
        const subFile = join(dirname(file), `${node.flow}.json`);
        const text = await readText(subFile, io);
        const sub = typeof text == 'string' ? validateFlow(text).flow : undefined;
        if (sub?.id == node.flow) flows.set(sub.id, { flow: sub, file: subFile, text: text as string, result: flows.get(flow.id)!.result });
      }
  for (const problem of checkFlowCalls([...flows.values()].map((f) => f.flow))) {
    const result = flows.get(problem.path.split(':')[0])!.result;
    result.errors.push(problem);
    result.ok = false;
  }
  return { results, flows };
}

function printResults(results: FileResult[], io: CliIO) {
  for (const r of results) {
    const counts = [r.errors.length && plural(r.errors.length, 'error'), r.warnings.length && plural(r.warnings.length, 'warning')].filter(Boolean);
    io.stdout(`${r.ok ? '✓' : '✗'} ${r.file}${counts.length ? ` (${counts.join(', ')})` : ''}\n`);
    io.stdout(printProblems('error  ', r.errors) + printProblems('warning', r.warnings));
  }
}

async function validateFiles(files: string[], json: boolean, io: CliIO): Promise<number> {
  const { results } = await checkFiles(files, io);
  const failed = results.filter((r) => !r.ok).length;
  if (json) io.stdout(JSON.stringify(results, null, 2) + '\n');
  else {
    printResults(results, io);
    io.stdout(`${plural(results.length, 'file')} checked, ${failed ? `${failed} with errors` : 'all valid'}.\n`);
  }
  return failed ? 1 : 0;
}

/**
 * `flow build`: checks the files as `validate` does and, when all are valid, writes the flow
 * index the widget takes as `flows: '<url of the index>'`: each flow's id, its file relative to
 * the index, its trigger, and the stamp of the text it validated. The page then fetches one small
 * file at boot to watch the triggers, a flow's file only when it is about to run, and the
 * validator only for a file changed since the build.
 */
async function buildIndex(files: string[], out: string, io: CliIO): Promise<number> {
  const { results, flows } = await checkFiles(files, io);
  const failed = results.filter((r) => !r.ok).length;
  if (failed) {
    printResults(results, io);
    io.stderr(`${plural(failed, 'file')} with errors: ${out} not written.\n`);
    return 1;
  }
  const target = resolve(io.cwd, out);
  const index = {
    flowIndex: 1,
    flows: [...flows.values()].map(({ flow, file, text }) => ({
      id: flow.id,
      src: relative(dirname(target), resolve(io.cwd, file)).split(sep).join('/'),
      ...(flow.trigger ? { trigger: flow.trigger } : {}),
      checked: flowStamp(text),
    })),
  };
  // Compact: every page with flows downloads it before anything else of them.
  await writeFile(target, JSON.stringify(index) + '\n');
  const triggered = index.flows.filter((f) => f.trigger).length;
  io.stdout(`wrote ${out}: ${plural(index.flows.length, 'flow')}, ${triggered} with a trigger.\n`);
  return 0;
}

const plural = (n: number, word: string) => `${n} ${word}${n == 1 ? '' : 's'}`;

/** True when every field given in `expected` equals the same field in `actual` (lists must match in length). */
function fits(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length == expected.length && expected.every((e, i) => fits(e, actual[i]));
  if (expected && typeof expected == 'object')
    return !!actual && typeof actual == 'object' && Object.entries(expected).every(([k, v]) => fits(v, (actual as Record<string, unknown>)[k]));
  return expected === actual;
}

function turnInput(t: TranscriptTurn): FlowInput | undefined {
  if (t.input) return t.input;
  if (t.respond !== undefined) return { type: 'request-result', status: 'ok', data: t.respond };
  if (t.fail || t.timeout) return { type: 'request-result', status: t.fail ? 'error' : 'timeout' };
  if (t.say != null) return { type: 'text', value: t.say };
  if (Array.isArray(t.choose)) return { type: 'choices', ids: t.choose };
  if (t.choose != null) return { type: 'choice', id: t.choose };
}

const show = (v: unknown) => JSON.stringify(v);

/** Lines of a readable diff between what a turn expected and what the flow did; empty when it fits. */
function diffTurn(t: TranscriptTurn, got: FlowTurn): string[] {
  const out: string[] = [];
  if (t.bot && !fits(t.bot, got.messages.map((m) => m.text))) {
    out.push('bot messages:');
    const n = Math.max(t.bot.length, got.messages.length);
    for (let i = 0; i < n; i++) {
      const want = t.bot[i];
      const have = got.messages[i]?.text;
      if (want === have) out.push(`    ${have}`);
      else {
        if (want !== undefined) out.push(`  - ${want}`);
        if (have !== undefined) out.push(`  + ${have}`);
      }
    }
  }
  if (t.actions && !fits(t.actions, got.actions)) out.push('actions:', `  - ${show(t.actions)}`, `  + ${show(got.actions)}`);
  if (t.wait !== undefined) {
    const ok = t.wait === null ? got.wait === null : typeof t.wait == 'string' ? got.wait?.kind == t.wait : fits(t.wait, got.wait);
    if (!ok) out.push('waits for:', `  - ${show(t.wait)}`, `  + ${show(got.wait)}`);
  }
  if (t.done !== undefined && t.done != got.done) out.push(`done: expected ${t.done}, got ${got.done}`);
  if (t.error !== undefined && t.error != got.error) out.push('error:', `  - ${t.error}`, `  + ${got.error ?? '(none)'}`);
  return out;
}

function describeTurn(t: TranscriptTurn, i: number): string {
  const what = t.reload
    ? 'reload'
    : t.edit
      ? `edit ${show(t.edit)}`
      : t.human
        ? 'talk to a person'
        : t.say != null
          ? `say ${show(t.say)}`
          : t.choose != null
            ? `choose ${show(t.choose)}`
            : turnInput(t)
              ? show(turnInput(t))
              : 'start';
  return `turn ${i + 1} (${what})`;
}

async function testTranscript(flowFile: string, transcriptFile: string, io: CliIO): Promise<number> {
  const set = await loadFlowSet(flowFile, io);
  if (!set) return 1;
  const { flow, flows } = set;
  const text = await readText(transcriptFile, io);
  let doc: { runs?: TranscriptRun[]; turns?: TranscriptTurn[] };
  try {
    if (typeof text != 'string') throw new Error(text.message);
    doc = JSON.parse(text);
  } catch (e) {
    io.stderr(`${transcriptFile}: ${(e as Error).message}\n`);
    return 1;
  }
  const runs: TranscriptRun[] = Array.isArray(doc?.runs) ? doc.runs : Array.isArray(doc?.turns) ? [doc as TranscriptRun] : [];
  if (!runs.length || runs.some((r) => !Array.isArray(r?.turns))) {
    io.stderr(`${transcriptFile}: a transcript needs "turns": [...], or "runs": [{ "turns": [...] }, ...]\n`);
    return 1;
  }
  let failed = 0;
  runs.forEach((run, r) => {
    const name = run.name ?? `run ${r + 1}`;
    const env = {
      locale: run.locale ?? 'en',
      bucketKey: run.bucketKey ?? 'transcript-user',
      seed: run.seed ?? 1,
      now: () => run.now ?? 0,
      user: run.user ?? {},
      context: run.context ?? {},
      flows,
    };
    let current: Flow = flow;
    let runner: FlowRunner = createFlowRunner(current, env);
    const problems: string[] = [];
    const play = (t: TranscriptTurn, i: number) => {
      if (problems.length) return;
      if (!t || typeof t != 'object') return problems.push(`turn ${i + 1}: must be an object`);
      const input = turnInput(t);
      let got: FlowTurn;
      if (t.edit) {
        let edited: ReturnType<typeof validateFlow>;
        try {
          edited = validateFlow(editFlow(current, t.edit));
        } catch (e) {
          return problems.push(`${describeTurn(t, i)}: ${(e as Error).message}`);
        }
        if (!edited.flow) return problems.push(`${describeTurn(t, i)}: the edited flow is invalid`, ...edited.errors.map((e) => `  ${e.path}: ${e.message}`));
        current = edited.flow;
      }
      if (t.reload || t.edit) runner = createFlowRunner(current, env, JSON.parse(JSON.stringify(runner.state)));
      if (i == 0 || t.reload || t.edit) got = runner.start();
      else if (t.human) got = runner.handOff();
      else if (!input) return problems.push(`${describeTurn(t, i)}: a turn after the first needs "say", "choose", "input", "respond", "fail", "timeout", "human", "edit" or "reload"`);
      else got = runner.reply(input);
      const diff = diffTurn(t, got);
      if (diff.length) problems.push(`${describeTurn(t, i)}:`, ...diff.map((l) => `  ${l}`));
    };
    // A transcript is checked, never trusted: whatever is wrong in it is reported on its turn.
    run.turns.forEach((t, i) => {
      try {
        play(t, i);
      } catch (e) {
        problems.push(`turn ${i + 1}: ${e instanceof RangeError ? 'nests too deeply to compare' : (e as Error).message}`);
      }
    });
    if (problems.length) failed++;
    io.stdout(`${problems.length ? '✗' : '✓'} ${flow.id}: ${name} (${plural(run.turns.length, 'turn')})\n`);
    for (const line of problems) io.stdout(`    ${line}\n`);
  });
  io.stdout(failed ? `${plural(failed, 'run')} of ${runs.length} did not match.\n` : `${plural(runs.length, 'run')} matched.\n`);
  return failed ? 1 : 0;
}
