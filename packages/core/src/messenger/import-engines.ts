import type { EngineLoaders } from './engines';

/** Every engine as a dynamic import: one chunk each, fetched the first time it is asked for. */
export const importEngines: EngineLoaders = {
  search: () => import('./search/engine'),
  flow: () => import('./flows/engine'),
  triggers: () => import('./flows/triggers'),
  handoff: () => import('./handoff/engine'),
  insights: () => import('./insights/engine'),
  transports: () => import('./transports/engine'),
};
