// `npm run size`: the bytes a host page downloads, gzipped (level 9) and brotli-compressed,
// checked against the budgets. Exits 1 when a bundle is over, or missing (run `npm run build`).
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const KB = 1024;
const BUDGETS = [
  { name: 'loader (script tag)', file: 'packages/loader/dist/loader.js', limit: 1 * KB },
  { name: 'widget: UI + messenger, dependencies included', file: 'packages/widget/dist/madoguchi.js', limit: 25 * KB },
  // Engines fetched by the widget only when the config (or the user) needs them.
  { name: '  + FAQ search engine, when `faq` is set', file: 'packages/widget/dist/madoguchi-search.js', limit: 6 * KB },
  { name: '  + bot-flow engine, when `flows` is set', file: 'packages/widget/dist/madoguchi-flow.js', limit: 10 * KB },
  { name: '  + triage and the handoff, at a handoff', file: 'packages/widget/dist/madoguchi-handoff.js', limit: 5 * KB },
  { name: '  + proactive rules, survey, analytics sink', file: 'packages/widget/dist/madoguchi-insights.js', limit: 4 * KB },
  { name: '  + article, flow, survey and e-mail views, when shown', file: 'packages/widget/dist/madoguchi-ui.js', limit: 3 * KB },
  { name: '  + Markdown parser, with the first formatted message', file: 'packages/widget/dist/madoguchi-markdown.js', limit: 1.5 * KB },
  { name: '  + Japanese strings, when the locale is ja', file: 'packages/widget/dist/madoguchi-ja.js', limit: 2 * KB },
  { name: '  + WebSocket / HTTP / webhook transports', file: 'packages/widget/dist/madoguchi-transports.js', limit: 3 * KB },
  // Not on a host page: what an agent's browser loads from the relay.
  { name: 'agent console (the relay serves it at /agent)', file: 'packages/relay/dist/console.js', limit: 26 * KB, own: true },
];

const format = (n) => (n < KB ? `${n} B` : `${(n / KB).toFixed(2)} KB`);
let failed = false;
let total = 0;
console.log('bundle                                                 min        gzip       brotli     budget (gzip)');
for (const { name, file, limit, own } of BUDGETS) {
  let code;
  try {
    code = readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)));
  } catch {
    console.error(`${name}: ${file} is missing; run \`npm run build\` first`);
    failed = true;
    continue;
  }
  const gz = gzipSync(code, { level: 9 }).length;
  const br = brotliCompressSync(code).length;
  const over = gz > limit;
  if (!file.includes('loader') && !own) total += gz;
  failed ||= over;
  console.log(
    `${name.padEnd(54)} ${format(code.length).padEnd(10)} ${format(gz).padEnd(10)} ${format(br).padEnd(10)} ${format(limit)} ${over ? `OVER by ${format(gz - limit)}` : 'ok'}`,
  );
}
console.log(`${'widget with every engine loaded'.padEnd(54)} ${''.padEnd(10)} ${format(total).padEnd(10)} (the most a page can download)`);
process.exitCode = failed ? 1 : 0;
