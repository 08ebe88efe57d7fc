// The handoff engine as the messenger loads it: triage and the handoff part's code, in one chunk.
export * from '../../triage';
export { createHandoffPartImpl } from './part';
