// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowToMermaid, validateFlow, type Flow } from './index';
import { mermaidId } from './mermaid';

/** Mermaid's own parser (the `mermaid` package, which needs a DOM: happy-dom here). */
const parse = async (text: string) => {
  const { default: mermaid } = await import('mermaid');
  return mermaid.parse(text);
};

describe('flowToMermaid', () => {
  it('draws nodes with their type and text, and labelled exits', () => {
    const { flow } = validateFlow({
      id: 'g',
      version: 1,
      start: 'ask',
      nodes: {
        ask: { type: 'choice', text: { en: 'Say "hi" <now>', ja: 'こんにちは' }, options: [{ id: 'yes', label: 'Yes', next: 'end' }] },
        end: { type: 'end' },
      },
    });
    const out = flowToMermaid(flow!);
    expect(out).toBe(
      ['flowchart TD', '  start(( )) --> n_ask', '  n_ask{{"choice ask: Say #34;hi#34; #60;now#62;"}}', '  n_ask -->|"yes"| n_end', '  n_end(("end end"))', ''].join('\n'),
    );
    expect(flowToMermaid(flow!, 'ja')).toContain('choice ask: こんにちは');
  });

  it('gives distinct ids to distinct node ids, even a-b and a_2db', () => {
    const ids = ['a-b', 'a_2db', 'a_2d_b', 'a__b', 'ab', 'A-B', 'end', 'start'];
    expect(new Set(ids.map(mermaidId)).size).toBe(ids.length);
  });

  it('writes what Mermaid parses, for any ids, option ids and text', { timeout: 120_000 }, async () => {
    const nasty = ['a|b', 'x]y', 'p(q)', 'q"r', 'end', '#1;', '<b>', 'a;b', '`md`', '{c}', '--> z', '%%', 'ü ñ 漢字', '\\', '&amp;', 'click', 'style', 'o', 'x'];
    let seed = 99;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
    const flows: Flow[] = [];
    for (let f = 0; f < 8; f++) {
      const ids = Array.from({ length: 6 }, (_, i) => pick(['a-b', 'a_2db', 'end', 'x', 'o', 'start', 'graph', 'subgraph', 'A-b_C']) + i);
      const nodes: Record<string, unknown> = {};
      ids.forEach((id, i) => {
        const next = ids[i + 1] ?? 'fin';
        nodes[id] =
          i % 2
            ? { type: 'message', text: pick(nasty) + ' ' + pick(nasty), next }
            : { type: 'choice', text: pick(nasty), options: [{ id: pick(nasty), label: pick(nasty), next }, { id: pick(nasty) + '!', label: 'x', next: 'fin' }] };
      });
      nodes.fin = { type: 'end', text: pick(nasty) };
      const r = validateFlow({ id: 'm', version: 1, start: ids[0], nodes });
      expect(r.errors).toEqual([]);
      flows.push(r.flow!);
    }
    // Option ids of spaces only: the label must still be something Mermaid parses.
    const blank = validateFlow({ id: 'b', version: 1, start: 'ask', nodes: { ask: { type: 'choice', text: 'Pick', options: [{ id: ' ', label: 'Blank', next: 'done' }, { id: '\t\n', label: 'Tab', next: 'done' }] }, done: { type: 'end' } } });
    expect(blank.errors).toEqual([]);
    flows.push(blank.flow!);
    for (const file of ['support-router', 'device-setup', 'return-policy', 'activation-delay', 'order-status', 'ask-order-number']) {
      flows.push(JSON.parse(readFileSync(join(process.cwd(), `examples/flows/${file}.json`), 'utf8')));
    }
    for (const flow of flows) {
      const text = flowToMermaid(flow);
      await expect(parse(text), text).resolves.toMatchObject({ diagramType: expect.stringMatching(/^flowchart/) });
      const declared = text.match(/^ {2}(n_\w+)[[({]/gm)!.map((l) => l.trim().replace(/[[({].*/, ''));
      expect(new Set(declared).size, text).toBe(Object.keys(flow.nodes).length);
    }
    await expect(parse('flowchart TD\n  a -->|a|b| b')).rejects.toThrow();
  });
});
