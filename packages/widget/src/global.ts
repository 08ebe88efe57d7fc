// Types for script-tag users: `import type {} from 'madoguchi/global'` (or a reference to this
// file) types `window.Madoguchi` and every command with its arguments.
import type { ContextSnapshot, Locale, MessengerConfig, MessengerEventName, MessengerEvents, UserInfo } from '@madoguchi/core';

/**
 * `Madoguchi('command', …args)`. Commands given before the widget has loaded are queued; `on`
 * returns its unsubscribe function once the widget has loaded (undefined while queued).
 */
export interface MadoguchiCommand {
  (command: 'boot', config: MessengerConfig): void;
  (command: 'update', patch?: { user?: UserInfo; consent?: boolean; locale?: Locale }): void;
  (command: 'track', name: string, properties?: Record<string, unknown>): void;
  (command: 'open' | 'close' | 'toggle' | 'shutdown'): void;
  (command: 'showArticle' | 'startFlow', id: string): void;
  <K extends MessengerEventName>(command: 'on', name: K, handler: MessengerEvents[K]): (() => void) | undefined;
  <K extends MessengerEventName>(command: 'off', name: K, handler: MessengerEvents[K]): void;
  (command: 'debugContext', callback: (snapshot: ContextSnapshot | undefined) => void): void;
  /** The snippet's queue of commands given before the loader ran. */
  q?: ArrayLike<IArguments>;
}

declare global {
  interface Window {
    Madoguchi: MadoguchiCommand;
  }
}
