/*
 * The script-tag loader. It keeps the `Madoguchi(...)` queue the snippet started, and loads the
 * widget (madoguchi.js, an ES module next to this file unless `data-widget` says otherwise)
 * without blocking the page: when the browser is idle after load, or at once when a command needs
 * the UI. The widget's engines are modules it imports on demand, with this script's nonce.
 */
type Queue = { q?: IArguments[] } & ((...args: unknown[]) => void);

const w = window as unknown as { Madoguchi?: Queue };
const d = document;
const me = d.currentScript as HTMLScriptElement | null;
const src = me?.dataset.widget || (me?.src || '').replace(/[^/]*$/, 'madoguchi.js');
const now = /^(open|toggle|showArticle|startFlow)$/;
let started = 0;

const load = () => {
  if (started++) return;
  const s = d.createElement('script');
  s.type = 'module';
  s.src = src;
  if (me?.nonce) s.nonce = me.nonce;
  d.head.appendChild(s);
};

const queue: Queue =
  w.Madoguchi ||
  function (this: unknown) {
    // eslint-disable-next-line prefer-rest-params
    (queue.q ||= []).push(arguments);
    // eslint-disable-next-line prefer-rest-params
    if (now.test(arguments[0])) load();
  };
if (w.Madoguchi) {
  // The snippet's queue function: wrap it so UI commands load the widget at once.
  const snippet = w.Madoguchi;
  const wrapped: Queue = function (this: unknown, ...args: unknown[]) {
    snippet.apply(this, args);
    if (now.test(String(args[0]))) load();
  };
  Object.defineProperty(wrapped, 'q', { get: () => snippet.q, set: (v) => (snippet.q = v) });
  w.Madoguchi = wrapped;
} else w.Madoguchi = queue;

for (const args of w.Madoguchi.q || []) if (now.test(args[0])) load();
const idle = () => ((window as any).requestIdleCallback || setTimeout)(load, { timeout: 3000 });
if (d.readyState === 'complete') idle();
else addEventListener('load', idle, { once: true });
