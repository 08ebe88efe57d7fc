import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flowStamp } from '@madoguchi/core';
import { flowCommand } from './flow';
import { UsageError } from './io';

const examples = fileURLToPath(new URL('../../../examples/flows', import.meta.url));
const FLOWS = ['device-setup', 'return-policy', 'activation-delay', 'support-router', 'order-status'];

async function run(args: string[], cwd = examples) {
  let out = '';
  let err = '';
  const code = await flowCommand(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd });
  return { code, out, err };
}

describe('madoguchi flow', () => {
  it('validates every example flow', async () => {
    const r = await run(['validate', ...FLOWS.map((f) => `${f}.json`), 'ask-order-number.json']);
    expect(r.out).toContain('6 files checked, all valid.');
    expect(r.code).toBe(0);
  });

  it('builds the flow index the demo page loads, as it is checked in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    // Every example flow, order-status with the sub-flow it calls (listed without a trigger).
    const demo = ['device-setup', 'return-policy', 'activation-delay', 'support-router', 'order-status'].map((f) => `${f}.json`);
    const r = await run(['build', ...demo, '--out', join(dir, 'flows.index.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`wrote ${join(dir, 'flows.index.json')}: 6 flows, 5 with a trigger.\n`);
    // The flow files' paths are relative to the index: here, the examples folder seen from the temporary one.
    const text = readFileSync(join(dir, 'flows.index.json'), 'utf8');
    // One line: every page with flows downloads it.
    expect(text.trimEnd()).not.toContain('\n');
    const built = JSON.parse(text);
    const checkedIn = JSON.parse(readFileSync(join(examples, 'flows.index.json'), 'utf8'));
    expect(built.flows.map((f: { src: string }) => f.src.split('/').pop())).toEqual(checkedIn.flows.map((f: { src: string }) => f.src));
    expect(built.flows.map(({ src, ...rest }: { src: string }) => rest)).toEqual(checkedIn.flows.map(({ src, ...rest }: { src: string }) => rest));
  });

  it('lists the sub-flows found beside their callers, and writes nothing when a flow is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    mkdirSync(join(dir, 'public'));
    const caller = { id: 'caller', version: 1, start: 'go', trigger: { event: 'help' }, nodes: { go: { type: 'flow', flow: 'sub', next: 'bye' }, bye: { type: 'end', text: 'Bye.' } } };
    const callerText = JSON.stringify(caller);
    const subText = JSON.stringify({ id: 'sub', version: 1, start: 'a', nodes: { a: { type: 'end', text: 'Sub.' } } }, null, 2);
    writeFileSync(join(dir, 'caller.json'), callerText);
    writeFileSync(join(dir, 'sub.json'), subText);
    const ok = await run(['build', 'caller.json', '--out', 'public/flows.index.json'], dir);
    expect(ok.code).toBe(0);
    // Each entry carries the stamp of the exact text validated: the widget runs such a file unchecked.
    expect(JSON.parse(readFileSync(join(dir, 'public/flows.index.json'), 'utf8'))).toEqual({
      flowIndex: 1,
      flows: [
        { id: 'caller', src: '../caller.json', trigger: { event: 'help' }, checked: flowStamp(callerText) },
        { id: 'sub', src: '../sub.json', checked: flowStamp(subText) },
      ],
    });
    expect(flowStamp(callerText)).not.toBe(flowStamp(callerText + ' '));
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...caller, id: 'broken', start: 'nowhere' }));
    const bad = await run(['build', 'caller.json', 'broken.json', '--out', 'other.index.json'], dir);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('✗ broken.json');
    expect(bad.err).toBe('1 file with errors: other.index.json not written.\n');
    expect(existsSync(join(dir, 'other.index.json'))).toBe(false);
  });

  it.each(FLOWS)('passes the %s transcript', async (name) => {
    const r = await run(['test', `${name}.json`, `${name}.transcript.json`]);
    expect(r.out).not.toContain('✗');
    expect(r.code).toBe(0);
  });

  it('prints paths and exits 1 for a broken flow, also as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    writeFileSync(
      join(dir, 'broken.json'),
      JSON.stringify({ id: 'b', version: 1, start: 'a', nodes: { a: { type: 'input', input: 'email', text: 'E-mail?', save: 'email', next: 'gone' } } }),
    );
    const r = await run(['validate', 'broken.json'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error   $.nodes.a.save: "email" is not declared in "variables".');
    expect(r.out).toContain('error   $.nodes.a.next: points to "gone", which is not a node in this flow.');
    expect(r.out).toContain('error   $.nodes.a.exhausted:');
    const j = await run(['validate', '--json', 'broken.json', 'missing.json'], dir);
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.out);
    expect(parsed.map((x: { file: string; ok: boolean }) => [x.file, x.ok])).toEqual([['broken.json', false], ['missing.json', false]]);
    expect(parsed[0].errors.map((e: { path: string }) => e.path).sort()).toEqual(['$.nodes.a.exhausted', '$.nodes.a.next', '$.nodes.a.save']);
  });

  it('prints a readable diff when a transcript does not match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    writeFileSync(
      join(dir, 't.json'),
      JSON.stringify({ turns: [{ bot: ['You can return most items within 60 days.'], wait: 'input' }, { choose: 'done', done: true }] }),
    );
    const r = await run(['test', join(examples, 'return-policy.json'), 't.json'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('turn 1 (start):');
    expect(r.out).toContain('- You can return most items within 60 days.');
    expect(r.out).toContain('+ You can return most items within **30 days**');
    expect(r.out).toContain('- "input"');
    expect(r.out).toContain('1 run of 1 did not match.');
  });

  it('prints the flow as Mermaid', async () => {
    const r = await run(['graph', 'support-router.json']);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('flowchart TD\n')).toBe(true);
    expect(r.out).toContain('n_is_2d_vip{"condition is-vip"}');
    expect(r.out).toContain('n_is_2d_vip -->|"then"| n_vip');
    expect((await run(['graph', '--locale', 'ja', 'support-router.json'])).out).toContain('どのようなご用件ですか?');
  });

  it('refuses wrong usage', async () => {
    await expect(run(['test', 'only-one.json'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['nope'])).rejects.toBeInstanceOf(UsageError);
  });

  it('accepts a byte-order mark with a warning, as the widget does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    writeFileSync(join(dir, 'bom.json'), '\ufeff' + JSON.stringify({ id: 'b', version: 1, start: 'a', nodes: { a: { type: 'end' } } }));
    const r = await run(['validate', 'bom.json'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning $: starts with a byte-order mark, which is ignored.');
  });

  it('checks the files given together: a run through a sub-flow over the step limit is an error of the flow it starts in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    const messages = (name: string, k: number, last: string) =>
      Object.fromEntries(Array.from({ length: k }, (_, i) => [`${name}${i}`, { type: 'message', text: `${name}${i}`, next: i + 1 < k ? `${name}${i + 1}` : last }]));
    // 60 messages, the call, 60 messages in the sub-flow and its end: 122 steps, though each file alone is fine.
    const main = { id: 'main', version: 1, start: 'm0', nodes: { ...messages('m', 60, 'call'), call: { type: 'flow', flow: 'sub' } } };
    const sub = { id: 'sub', version: 1, start: 's0', nodes: { ...messages('s', 60, 'end'), end: { type: 'end' } } };
    writeFileSync(join(dir, 'main.json'), JSON.stringify(main));
    writeFileSync(join(dir, 'sub.json'), JSON.stringify(sub));
    const r = await run(['validate', 'main.json', 'sub.json'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ main.json (1 error)');
    expect(r.out).toContain('✓ sub.json');
    expect(r.out).toContain(
      'error   main: $.nodes.m0: starts a run of 122 steps without waiting for the user through sub-flows (main "m0" → sub "s0"), over the limit of 100 that one turn may pass',
    );
    // Given alone, the caller still has its sub-flow read from beside it.
    const alone = await run(['validate', '--json', 'main.json'], dir);
    expect(alone.code).toBe(1);
    expect(JSON.parse(alone.out)[0].errors.map((e: { path: string }) => e.path)).toEqual(['main: $.nodes.m0']);
    // With a question on the way, the same flows pass.
    (sub.nodes as Record<string, unknown>).s30 = { type: 'choice', text: 'Go on?', options: [{ id: 'yes', label: 'Yes', next: 's31' }] };
    writeFileSync(join(dir, 'sub.json'), JSON.stringify(sub));
    expect((await run(['validate', 'main.json', 'sub.json'], dir)).code).toBe(0);
  });

  it('reads sub-flows from <id>.json beside the flow, and refuses calls that cannot run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    const main = { id: 'main', version: 1, start: 'c', variables: { n: 'number' }, nodes: { c: { type: 'flow', flow: 'sub', out: { n: 'word' } } } };
    writeFileSync(join(dir, 'main.json'), JSON.stringify(main));
    writeFileSync(join(dir, 't.json'), JSON.stringify({ turns: [{ done: true }] }));
    let r = await run(['test', 'main.json', 't.json'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('main: $.nodes.c.flow: calls "sub", which is not among the flows loaded.');
    writeFileSync(join(dir, 'sub.json'), JSON.stringify({ id: 'sub', version: 1, start: 'e', variables: { word: 'string' }, nodes: { e: { type: 'end', text: 'in sub' } } }));
    r = await run(['test', 'main.json', 't.json'], dir);
    expect(r.err).toContain('main: $.nodes.c.out.n: is a number, but "word" in flow "sub" is a string.');
    main.nodes.c.out = {} as never;
    writeFileSync(join(dir, 'main.json'), JSON.stringify(main));
    writeFileSync(join(dir, 't.json'), JSON.stringify({ turns: [{ bot: ['in sub'], done: true }] }));
    r = await run(['test', 'main.json', 't.json'], dir);
    expect(r.out).toContain('1 run matched.');
  });

  it('reports an edit between turns that breaks the flow, and a turn with nothing to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    writeFileSync(join(dir, 'f.json'), JSON.stringify({ id: 'f', version: 1, start: 'a', nodes: { a: { type: 'choice', text: 'Pick', options: [{ id: 'x', label: 'X', next: 'b' }] }, b: { type: 'end' } } }));
    writeFileSync(join(dir, 't.json'), JSON.stringify({ turns: [{ wait: 'choice' }, { edit: { 'nodes.a.options.0.next': 'gone' } }, { expect: 1 }] }));
    const r = await run(['test', 'f.json', 't.json'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('the edited flow is invalid');
    expect(r.out).toContain('$.nodes.a.options[0].next: points to "gone", which is not a node in this flow.');
  });

  it('holds a turn to the same matching budget as the widget: past it, patterns do not match and the turn says where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    // A sub-flow with patterns near one flow's limit, called three times in one turn.
    const check = { id: 'check', version: 1, start: 'c', variables: { text: 'string' }, nodes: { c: { type: 'condition', when: { any: [{ var: 'vars.text', matches: '[^x]{0,300}x' }] }, then: 'e', else: 'e' }, e: { type: 'end' } } };
    const calls = Object.fromEntries([1, 2, 3].map((n) => [`c${n}`, { type: 'flow', flow: 'check', in: { text: 'vars.text' }, next: n < 3 ? `c${n + 1}` : 'bye' }]));
    const main = { id: 'main', version: 1, start: 'ask', variables: { text: 'string' }, nodes: { ask: { type: 'input', input: 'text', text: 'Say', save: 'text', next: 'c1', exhausted: 'bye' }, ...calls, bye: { type: 'end', text: 'Bye.' } } };
    writeFileSync(join(dir, 'check.json'), JSON.stringify(check));
    writeFileSync(join(dir, 'main.json'), JSON.stringify(main));
    const error = 'Flow "check": patterns took over 1001000 steps this turn (the limit) at "c" when.any[0].matches; from there none matched.';
    writeFileSync(join(dir, 't.json'), JSON.stringify({ turns: [{ bot: ['Say'] }, { say: '\u0378'.repeat(1000), bot: ['Bye.'], error, done: true }] }));
    const r = await run(['test', 'main.json', 't.json'], dir);
    expect(r.out).toContain('1 run matched.');
    expect(r.code).toBe(0);
  });

  it('refuses an edit through __proto__, constructor or prototype, or through inherited names, leaving every object as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    writeFileSync(join(dir, 'f.json'), JSON.stringify({ id: 'f', version: 1, start: 'a', nodes: { a: { type: 'choice', text: 'Pick', options: [{ id: 'x', label: 'X', next: 'b' }] }, b: { type: 'end' } } }));
    const edits = [{ '__proto__.text': 'INJECTED' }, { 'nodes.constructor.prototype.text': 'INJECTED' }, { 'nodes.a.__proto__.text': 'INJECTED' }, { 'nodes.toString.text': 'INJECTED' }];
    writeFileSync(join(dir, 't.json'), JSON.stringify({ runs: edits.map((edit) => ({ turns: [{ wait: 'choice' }, { edit }] })) }));
    try {
      const r = await run(['test', 'f.json', 't.json'], dir);
      expect(({} as Record<string, unknown>).text).toBeUndefined();
      expect(r.code).toBe(1);
      expect(r.out).toContain('turn 2 (edit {"__proto__.text":"INJECTED"}): "__proto__.text": "__proto__" is not a field a flow can have');
      expect(r.out).toContain('turn 2 (edit {"nodes.constructor.prototype.text":"INJECTED"}): "nodes.constructor.prototype.text": "constructor" is not a field a flow can have');
      expect(r.out).toContain('"nodes.a.__proto__.text": "__proto__" is not a field a flow can have');
      expect(r.out).toContain('turn 2 (edit {"nodes.toString.text":"INJECTED"}): "nodes.toString.text" is not a place in the flow');
    } finally {
      delete (Object.prototype as Record<string, unknown>).text;
    }
  });

  it('reports a transcript turn that is not an object or nests too deeply, without crashing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-'));
    writeFileSync(join(dir, 'f.json'), JSON.stringify({ id: 'f', version: 1, start: 'a', nodes: { a: { type: 'end', text: 'hi' } } }));
    let deep = '1';
    for (let i = 0; i < 20_000; i++) deep = `[${deep}]`;
    writeFileSync(join(dir, 't.json'), `{"runs":[{"turns":[null]},{"turns":[{"actions":${deep}}]}]}`);
    const r = await run(['test', 'f.json', 't.json'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('turn 1: must be an object');
    expect(r.out).toContain('2 runs of 2 did not match.');
  });
});
