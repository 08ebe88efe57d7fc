/**
 * The two heavy engines, FAQ search and bot flows, are loaded only when the config uses them.
 * Bundlers split these dynamic imports into their own chunks; the script-tag build swaps this
 * module for one that loads the engines as separate files next to madoguchi.js.
 */
export type SearchEngine = typeof import('../search');
export type FlowEngine = typeof import('../flow');

export const loadSearchEngine = (): Promise<SearchEngine> => import('../search');
export const loadFlowEngine = (): Promise<FlowEngine> => import('../flow');
