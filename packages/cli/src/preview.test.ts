import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from './preview';

const flow = (text: string) => ({ id: 'hello', version: 1, start: 'a', nodes: { a: { type: 'message', text, next: 'b' }, b: { type: 'flow', flow: 'bye' } } });
const bye = { id: 'bye', version: 1, start: 'z', nodes: { z: { type: 'end', text: 'Bye <b>' } } };

let open: Preview[] = [];
afterEach(async () => {
  await Promise.all(open.map((p) => p.close()));
  open = [];
});

async function preview() {
  const dir = mkdtempSync(join(tmpdir(), 'preview-'));
  const file = join(dir, 'hello.json');
  writeFileSync(file, JSON.stringify(flow('Hi <there>')));
  writeFileSync(join(dir, 'bye.json'), JSON.stringify(bye));
  const p = await startPreview(file, { port: 0 });
  open.push(p);
  return { p, file };
}

describe('madoguchi flow preview', () => {
  it('serves a page with the diagram and the widget booted with the flow and the flows it calls', async () => {
    const { p } = await preview();
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const html = await (await fetch(p.url)).text();
    expect(html).toContain('<title>Flow preview: hello</title>');
    expect(html).toContain('<pre class="mermaid">flowchart TD');
    expect(html).toContain('n_a[&#34;message a: Hi #60;there#62;&#34;]');
    expect(html).toContain('"flows":["/flows/hello.json","/flows/bye.json"]');
    expect(html).toContain(`Madoguchi('startFlow', "hello")`);
    expect(html).toContain('<script type="module" src="/madoguchi/madoguchi.js"></script>');
    expect(await (await fetch(p.url + 'flows/bye.json')).json()).toEqual(bye);
    expect((await fetch(p.url + 'flows/other.json')).status).toBe(404);
    expect((await fetch(p.url + 'madoguchi/../package.json')).status).toBe(404);
    expect((await fetch(p.url + 'mermaid.js')).headers.get('content-type')).toMatch(/javascript/);
  });

  it('tells the page to reload when the flow file changes, and lists problems instead of running a broken flow', async () => {
    const { p, file } = await preview();
    const events = await fetch(p.url + 'events');
    const reader = events.body!.getReader();
    await reader.read();
    writeFileSync(file, JSON.stringify({ ...flow('x'), start: 'nowhere' }));
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('data: reload');
    await reader.cancel();
    const html = await (await fetch(p.url)).text();
    expect(html).toContain('This flow would be refused');
    expect(html).toContain('<code>hello.json $.start</code>: points to &#34;nowhere&#34;');
    expect(html).not.toContain('madoguchi.js');
  });
});
