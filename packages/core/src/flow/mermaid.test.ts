import { describe, expect, it } from 'vitest';
import { flowToMermaid, validateFlow } from './index';

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
      ['flowchart TD', '  start(( )) --> n_ask', '  n_ask{{"choice ask: Say #34;hi#34; #60;now#62;"}}', '  n_ask -->|yes| n_end', '  n_end(("end end"))', ''].join('\n'),
    );
    expect(flowToMermaid(flow!, 'ja')).toContain('choice ask: こんにちは');
  });
});
