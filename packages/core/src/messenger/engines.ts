/**
 * The engines a page may never need, each loaded only when the config or the user asks for it:
 * FAQ search, bot flows, triage with the handoff, proactive rules with the analytics sink, and
 * the network transports. `createMessenger` takes the loaders as one typed registry; the default,
 * `importEngines`, loads each with a dynamic `import()` that a bundler (ours for the script tag,
 * yours for npm) turns into a chunk of its own. Tests and hosts may pass their own.
 */
export type SearchEngine = typeof import('./search/engine');
export type FlowEngine = typeof import('./flows/engine');
export type TriggersEngine = typeof import('./flows/triggers');
export type TriageEngine = typeof import('../triage');
export type HandoffEngine = typeof import('./handoff/engine');
export type InsightsEngine = typeof import('./insights/engine');
export type TransportsEngine = typeof import('./transports/engine');

export interface EngineLoaders {
  search(): Promise<SearchEngine>;
  flow(): Promise<FlowEngine>;
  /** The flows' trigger check, loaded at boot when the config has flows; without it the whole flow engine loads then. */
  triggers?(): Promise<TriggersEngine>;
  handoff(): Promise<HandoffEngine>;
  insights(): Promise<InsightsEngine>;
  transports(): Promise<TransportsEngine>;
}
