/**
 * The engines a page may never need are loaded only when the config or the user asks for them:
 * FAQ search, bot flows, triage with the handoff, proactive rules with the analytics sink, and the network
 * transports. Bundlers split these dynamic imports into chunks of their own; the script-tag
 * build swaps this module for one that loads each engine as a file next to madoguchi.js.
 */
export type SearchEngine = typeof import('./search-engine');
export type FlowEngine = typeof import('./flow-engine');
export type TriageEngine = typeof import('../triage');
export type HandoffEngine = typeof import('./handoff-engine');
export type InsightsEngine = typeof import('./insights-engine');
export type TransportsEngine = typeof import('./transports-engine');

export const loadSearchEngine = (): Promise<SearchEngine> => import('./search-engine');
export const loadFlowEngine = (): Promise<FlowEngine> => import('./flow-engine');
export const loadHandoffEngine = (): Promise<HandoffEngine> => import('./handoff-engine');
export const loadInsightsEngine = (): Promise<InsightsEngine> => import('./insights-engine');
export const loadTransportsEngine = (): Promise<TransportsEngine> => import('./transports-engine');
