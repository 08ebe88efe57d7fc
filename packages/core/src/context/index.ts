export { redactText, redactUrl, type RedactionOptions } from './redact';
export {
  createContextTracker,
  type ContextPage,
  type ContextSnapshot,
  type ContextTracker,
  type ContextTrackerOptions,
  type ContextUser,
  type DeviceInfo,
  type SavedContext,
  type TrailEntry,
} from './tracker';
