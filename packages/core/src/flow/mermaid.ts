import type { Flow } from './types';
import { pickFlowText } from './text';
import { flowExits } from './validate';

const SHAPES: Record<string, string> = { choice: '{{}}', input: '[//]', condition: '{}', split: '{}', search: '[()]', handoff: '[[]]', end: '(())' };

/** The flow as a Mermaid flowchart; node text is shortened and quoted so any label is safe. */
export function flowToMermaid(flow: Flow, locale = 'en'): string {
  const id = (k: string) => 'n_' + k.replace(/\W/g, (c) => '_' + c.charCodeAt(0).toString(16));
  const label = (s: string) => s.replace(/\s+/g, ' ').slice(0, 60).replace(/["<>#&]/g, (c) => `#${c.charCodeAt(0)};`);
  const lines = ['flowchart TD', `  start(( )) --> ${id(flow.start)}`];
  for (const [k, node] of Object.entries(flow.nodes)) {
    const n = node as { type: string; text?: Record<string, string> | string };
    const text = pickFlowText(n.text, locale);
    const shape = SHAPES[n.type] ?? '[]';
    const open = shape.slice(0, shape.length / 2);
    const close = shape.slice(open.length);
    lines.push(`  ${id(k)}${open}"${label(`${n.type} ${k}${text ? ': ' + text : ''}`)}"${close}`);
    for (const [exit, to] of flowExits(node)) lines.push(`  ${id(k)} -->${exit == 'next' ? '' : `|${label(exit)}|`} ${id(to)}`);
  }
  return lines.join('\n') + '\n';
}
