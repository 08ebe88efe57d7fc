import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { checkFlowCalls, flowToMermaid, validateFlow, type Flow, type Problem } from '@madoguchi/core';
import type { CliIO } from './io';

export interface Preview {
  url: string;
  close(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.json': 'application/json; charset=utf-8', '.css': 'text/css' };

/** Where an installed package's file is, or undefined when the package is not installed. */
function packageFile(name: string, file: string): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${name}/package.json`)), file);
  } catch {
    return undefined;
  }
}

/** The flow file and the flows it calls (`<id>.json` beside it), each checked; problems are listed, not thrown. */
async function readFlows(file: string): Promise<{ flow?: Flow; texts: Record<string, string>; problems: Problem[] }> {
  const texts: Record<string, string> = {};
  const problems: Problem[] = [];
  const flows: Flow[] = [];
  const todo = [file];
  for (let f; (f = todo.pop()); ) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      problems.push({ path: basename(f), message: `cannot be read (${(e as NodeJS.ErrnoException).code})` });
      continue;
    }
    const r = validateFlow(text);
    for (const p of r.errors) problems.push({ path: `${basename(f)} ${p.path}`, message: p.message });
    if (!r.flow) continue;
    flows.push(r.flow);
    texts[r.flow.id] = text;
    for (const node of Object.values(r.flow.nodes))
      if (node.type == 'flow' && /^[\w.-]+$/.test(node.flow) && !(node.flow in texts)) todo.push(join(dirname(file), `${node.flow}.json`));
  }
  if (!problems.length) problems.push(...checkFlowCalls(flows));
  return { flow: flows[0], texts, problems };
}

function page(flow: Flow | undefined, ids: string[], problems: Problem[], mermaid: boolean, widget: boolean, locale: string): string {
  const title = flow ? `Flow preview: ${flow.id}` : 'Flow preview';
  const diagram = flow ? flowToMermaid(flow, locale) : '';
  const boot = {
    appId: 'flow-preview',
    locale,
    storage: 'none',
    flows: ids.map((id) => `/flows/${encodeURIComponent(id)}.json`),
  };
  return `<!doctype html>
<html lang="${escapeHtml(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  main { display: grid; grid-template-columns: minmax(0, 1fr) 420px; min-height: 100vh; }
  #diagram { padding: 24px; overflow: auto; background: #fff; }
  h1 { font-size: 18px; margin: 0 0 12px; }
  .problems { color: #a11; }
  pre.source { white-space: pre-wrap; font-size: 12px; background: #f3f4f6; padding: 12px; }
  #requests { position: fixed; left: 24px; bottom: 24px; max-width: 420px; }
  #requests form { background: #fff8e1; border: 1px solid #e0c060; padding: 8px; margin-top: 8px; }
  #requests textarea { width: 100%; min-height: 60px; font: 12px monospace; }
</style>
</head>
<body>
<main>
  <section id="diagram" aria-label="Diagram">
    <h1>${escapeHtml(title)}</h1>
    ${
      problems.length
        ? `<div class="problems" role="alert"><p>This flow would be refused:</p><ul>${problems.map((p) => `<li><code>${escapeHtml(p.path)}</code>: ${escapeHtml(p.message)}</li>`).join('')}</ul></div>`
        : ''
    }
    ${flow ? (mermaid ? `<pre class="mermaid">${escapeHtml(diagram)}</pre>` : `<p>Install <code>mermaid</code> beside the command to draw this diagram; its source:</p><pre class="source">${escapeHtml(diagram)}</pre>`) : ''}
    <div id="requests" aria-live="polite"></div>
  </section>
  <section aria-label="Widget"></section>
</main>
<script>
  new EventSource('/events').onmessage = () => location.reload();
</script>
${mermaid && flow ? `<script src="/mermaid.js"></script><script>mermaid.initialize({ startOnLoad: true, securityLevel: 'strict' });</script>` : ''}
${
  widget && flow && !problems.length
    ? `<script>
  window.Madoguchi = window.Madoguchi || function () { (Madoguchi.q = Madoguchi.q || []).push(arguments) };
  Madoguchi('boot', ${JSON.stringify(boot).replace(/</g, '\\u003c')});
  Madoguchi('startFlow', ${JSON.stringify(flow.id).replace(/</g, '\\u003c')});
  // Requests to the host page: answer them by hand here.
  Madoguchi('on', 'flow:request', (r) => {
    const form = document.createElement('form');
    const label = document.createElement('label');
    label.textContent = 'Request "' + r.name + '" with ' + JSON.stringify(r.params) + '. Answer (JSON):';
    const data = document.createElement('textarea');
    data.value = '{}';
    const ok = document.createElement('button');
    ok.textContent = 'Answer';
    const fail = document.createElement('button');
    fail.type = 'button';
    fail.textContent = 'Fail';
    form.append(label, data, ok, fail);
    form.onsubmit = (e) => { e.preventDefault(); try { r.respond(JSON.parse(data.value)); form.remove(); } catch (err) { label.textContent = String(err); } };
    fail.onclick = () => { r.fail(); form.remove(); };
    document.getElementById('requests').append(form);
  });
</script>
<script type="module" src="/madoguchi/madoguchi.js"></script>`
    : widget
      ? ''
      : '<p>Install <code>madoguchi</code> (the widget) beside the command to run the flow here.</p>'
}
</body>
</html>
`;
}

/**
 * Serves a page with the widget running the flow beside its diagram, on 127.0.0.1, and reloads it
 * whenever the flow file (or a flow it calls) changes. Port 0 takes a free port.
 */
export async function startPreview(file: string, options: { port?: number; locale?: string } = {}): Promise<Preview> {
  const dir = dirname(resolve(file));
  const widgetDir = packageFile('madoguchi', 'dist');
  const mermaidFile = packageFile('mermaid', 'dist/mermaid.min.js');
  const listeners = new Set<ServerResponse>();
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
  const serveFile = async (res: ServerResponse, path: string | undefined) => {
    try {
      if (!path) throw new Error('missing');
      send(res, 200, TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream', await readFile(path));
    } catch {
      send(res, 404, 'text/plain', 'not found');
    }
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://preview');
    const path = decodeURIComponent(url.pathname);
    if (path == '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': connected\n\n');
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    const state = await readFlows(file);
    if (path == '/') {
      const ids = Object.keys(state.texts);
      return send(res, 200, 'text/html; charset=utf-8', page(state.flow, ids, state.problems, !!mermaidFile, !!widgetDir, options.locale ?? 'en'));
    }
    const flowFile = /^\/flows\/([\w.-]+)\.json$/.exec(path);
    if (flowFile) return flowFile[1] in state.texts ? send(res, 200, TYPES['.json'], state.texts[flowFile[1]]) : send(res, 404, 'text/plain', 'not found');
    if (path == '/mermaid.js') return serveFile(res, mermaidFile);
    if (path == '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    const asset = /^\/madoguchi\/([\w.-]+\.js)$/.exec(path) || /^\/madoguchi\/(chunks\/[\w.-]+\.js)$/.exec(path);
    if (asset && widgetDir) return serveFile(res, join(widgetDir, asset[1]));
    send(res, 404, 'text/plain', 'not found');
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watcher: FSWatcher = watch(dir, (_, name) => {
    if (name && !String(name).endsWith('.json')) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const res of listeners) res.write('data: reload\n\n');
    }, 80);
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(options.port ?? 0, '127.0.0.1', () => ok()));
  const address = server.address();
  const port = typeof address == 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        clearTimeout(timer);
        watcher.close();
        for (const res of listeners) res.end();
        server.close(() => ok());
        server.closeAllConnections?.();
      }),
  };
}

/** `madoguchi flow preview <flow.json>`: serves the preview until the process is stopped. */
export async function previewFlow(file: string, io: CliIO, options: { port?: number; locale?: string } = {}): Promise<number> {
  const preview = await startPreview(file, options);
  io.stdout(`Previewing ${file} at ${preview.url} (it reloads when the file changes; Ctrl+C stops)\n`);
  await new Promise<void>((stop) => process.once('SIGINT', stop));
  await preview.close();
  return 0;
}
