import type { Flow } from './types';
import { pickFlowText } from './text';
import { flowExits } from './validate';

const SHAPES: Record<string, string> = { choice: '{{}}', input: '[//]', condition: '{}', split: '{}', search: '[()]', handoff: '[[]]', request: '[()]', flow: '[[]]', end: '(())' };

/**
 * A Mermaid node id for a flow node id, one-to-one: letters and digits stay, any other character
 * becomes `_<hex>_`, so `a-b` (n_a_2d_b) and `a_2db` (n_a_5f_2db) never meet.
 */
export const mermaidId = (k: string) => 'n_' + k.replace(/[^A-Za-z0-9]/gu, (c) => `_${c.codePointAt(0)!.toString(16)}_`);

/**
 * Label text for inside quotes: letters, digits, spaces and plain punctuation stay, the rest become
 * entity codes. Blank text (an option id of spaces) becomes one coded space: Mermaid refuses `""`.
 */
export const mermaidLabel = (s: string) =>
  [...s.replace(/\s+/g, ' ').trim()]
    .slice(0, 60)
    .join('')
    .replace(/[^\p{L}\p{N} .,:?!'+=@%/*-]/gu, (c) => `#${c.codePointAt(0)};`) || '#32;';

/** The flow as a Mermaid flowchart; every label is quoted and escaped, so any id or text parses. */
export function flowToMermaid(flow: Flow, locale = 'en'): string {
  const lines = ['flowchart TD', `  start(( )) --> ${mermaidId(flow.start)}`];
  for (const [k, node] of Object.entries(flow.nodes)) {
    const n = node as { type: string; text?: Record<string, string> | string; flow?: string; handler?: string; url?: string };
    const text = n.type == 'flow' ? `runs ${n.flow}` : n.type == 'request' ? (n.handler ? `asks the page for ${n.handler}` : `fetches ${n.url}`) : pickFlowText(n.text, locale);
    const shape = SHAPES[n.type] ?? '[]';
    const open = shape.slice(0, shape.length / 2);
    const close = shape.slice(open.length);
    lines.push(`  ${mermaidId(k)}${open}"${mermaidLabel(`${n.type} ${k}${text ? ': ' + text : ''}`)}"${close}`);
    for (const [exit, to] of flowExits(node)) lines.push(`  ${mermaidId(k)} -->${exit == 'next' ? '' : `|"${mermaidLabel(exit)}"|`} ${mermaidId(to)}`);
  }
  return lines.join('\n') + '\n';
}
