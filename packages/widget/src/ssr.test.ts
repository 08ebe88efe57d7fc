// Server rendering: the packages as built (`npm run build`), imported and driven in a plain Node
// process with no window or document, as a framework's server would.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const widget = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const core = fileURLToPath(new URL('../../core/dist/index.js', import.meta.url));

const SCRIPT = `
const { createMessenger, mountWidget } = await import(${JSON.stringify(widget)});
const core = await import(${JSON.stringify(core)});
const seen = [];
for (const make of [createMessenger, core.createMessenger]) {
  const m = make({ appId: 'ssr', faq: '/faq.json', flows: ['/flows/a.json'], storage: 'always',
    transport: { type: 'websocket', url: 'ws://localhost:1/relay/ws' }, proactive: '/rules.json' });
  m.on('error', (e) => seen.push('error ' + e.message));
  m.on('warning', (w) => seen.push('warning ' + w.message));
  m.update({ user: { id: 'u1' } });
  m.track('viewed');
  m.open(); m.close(); m.toggle();
  m.showArticle('a'); m.startFlow('f');
  m.send('hello'); m.talkToPerson();
  m.debugContext((c) => seen.push('context ' + String(c)));
  if (make === createMessenger) mountWidget(m)();
  await m.shutdown();
  m.boot({ appId: 'again' });
}
console.log(JSON.stringify(seen));
`;

describe('server rendering', () => {
  it.skipIf(!existsSync(widget))('imports and calls every public function in Node with no output, handle or error, and exits', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 15_000 });
    // A handle left open (a socket, a BroadcastChannel, a timer) would keep the process alive past the timeout.
    expect(run.error).toBeUndefined();
    expect(run.signal).toBeNull();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(['context undefined', 'context undefined']);
  });
});
