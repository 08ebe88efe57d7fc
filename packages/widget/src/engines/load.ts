import type { FlowEngine, HandoffEngine, InsightsEngine, SearchEngine, TransportsEngine } from '../../../core/src/messenger/engines';

/**
 * The script-tag build's engine loader: the engines of engines.ts are separate files next to
 * madoguchi.js (madoguchi-search.js, madoguchi-flow.js, …), fetched the first time the config needs
 * them. Each hands its exports over through `Madoguchi('_engine', name, exports)`, so no global
 * is added to the page. Scripts made by a trusted script pass a 'strict-dynamic' CSP; the nonce of
 * madoguchi.js is copied for a nonce-only policy.
 */
const me = document.currentScript as HTMLScriptElement | null;
const base = me?.src.replace(/[^/?#]*([?#].*)?$/, '') || '';
const waiting: Record<string, { promise: Promise<unknown>; resolve: (exports: unknown) => void }> = {};

/** Called by the `_engine` command when an engine file has run. */
export function engineArrived(name: string, exports: unknown): void {
  entry(name).resolve(exports);
}

function entry(name: string) {
  let e = waiting[name];
  if (!e) {
    let resolve!: (exports: unknown) => void;
    const promise = new Promise((ok) => (resolve = ok));
    e = waiting[name] = { promise, resolve };
  }
  return e;
}

function load<T>(name: string): Promise<T> {
  const known = waiting[name];
  const e = entry(name);
  if (!known) {
    const script = document.createElement('script');
    script.src = `${base}madoguchi-${name}.js`;
    script.async = true;
    if (me?.nonce) script.nonce = me.nonce;
    e.promise = new Promise((resolve, reject) => {
      e.resolve = resolve;
      script.onerror = () => {
        delete waiting[name];
        reject(new Error(`could not load ${script.src}`));
      };
    });
    document.head.appendChild(script);
  }
  return e.promise as Promise<T>;
}

export const loadSearchEngine = (): Promise<SearchEngine> => load('search');
export const loadFlowEngine = (): Promise<FlowEngine> => load('flow');
export const loadHandoffEngine = (): Promise<HandoffEngine> => load('handoff');
export const loadInsightsEngine = (): Promise<InsightsEngine> => load('insights');
export const loadMarkdown = (): Promise<Pick<typeof import('../../../core/src/markdown'), 'parseMarkdown'>> => load('markdown');
export const loadExtras = (): Promise<typeof import('../ui/extras')> => load('ui');
export const loadJapanese = (): Promise<typeof import('../i18n-ja')> => load('ja');
export const loadCustomStrings = (): Promise<typeof import('../i18n-custom')> => load('strings');
export const loadTransportsEngine = (): Promise<TransportsEngine> => load('transports');
