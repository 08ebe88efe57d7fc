import type { MessengerConfig } from '@madoguchi/core';
import { createMessenger as createHeadless, type Messenger, type MessengerOptions } from '@madoguchi/core/messenger';
import { loadStrings } from './i18n';
import { preloadMarkdown } from './ui/markdown-parser';
import { mountWidget } from './mount';

export type * from '@madoguchi/core';
export { mountWidget } from './mount';

/** The commands of the script tag, as functions a framework binding can hand out. */
export type MessengerCommands = Pick<Messenger, 'boot' | 'update' | 'track' | 'open' | 'close' | 'toggle' | 'showArticle' | 'startFlow' | 'on' | 'off' | 'shutdown'>;

/** The messenger's commands bound to it, each a stable function (what the React and Vue bindings return). */
export function commandsOf(m: Messenger): MessengerCommands {
  return {
    boot: (config) => m.boot(config),
    update: (patch) => m.update(patch),
    track: (name, properties) => m.track(name, properties),
    open: () => m.open(),
    close: () => m.close(),
    toggle: () => m.toggle(),
    showArticle: (id) => m.showArticle(id),
    startFlow: (id, options) => m.startFlow(id, options),
    on: (name, handler) => m.on(name, handler),
    off: (name, handler) => m.off(name, handler),
    shutdown: () => m.shutdown(),
  };
}

/**
 * Creates the messenger and puts its widget on the page. The returned object has the commands of
 * the script tag (`boot`, `update`, `track`, `open`, `close`, `toggle`, `showArticle`, `startFlow`,
 * `on`, `off`, `shutdown`) as methods. Nothing it does throws into the host page. On a server
 * (no `document`) it is inert: commands are accepted and nothing is shown or started.
 */
export function createMessenger(config?: MessengerConfig, options?: MessengerOptions): Messenger {
  // Engine code asked for at `ready` waits for the launcher to be in the page (and painted).
  let shown: Promise<void> | undefined;
  let markShown = () => {};
  const m = createHeadless(undefined, { ...options, mounted: () => (shown ||= new Promise<void>((resolve) => (markShown = resolve))) });
  let unmount: (() => void) | undefined;
  const place = () => {
    if (unmount || typeof document === 'undefined') return;
    const go = () => {
      try {
        unmount ||= mountWidget(m);
      } catch (cause) {
        console.error('[madoguchi] the widget could not be shown', cause);
      }
      markShown();
    };
    // The launcher appears with its strings in the user's language (English and Japanese are here;
    // a config's own strings arrive as a small file).
    // A conversation restored open shows formatted at once: the Markdown parser comes first too
    // (a closed panel does not wait for it: the launcher mounts from what is in memory).
    const formatted = m.state.$open.get() && m.state.$messages.get().some((x) => x.author !== 'user');
    // Mounting is a task of its own, never added to the task of a file that just arrived.
    const later = () => setTimeout(go);
    const ready = () => Promise.all([loadStrings(m.state.$locale.get(), m.state.config(), m.state.report), formatted && preloadMarkdown()]).then(later, later);
    if (document.body) void ready();
    else document.addEventListener('DOMContentLoaded', () => void ready(), { once: true });
  };
  m.on('ready', place);
  const shutdown = m.shutdown;
  m.shutdown = async () => {
    unmount?.();
    unmount = undefined;
    shown = undefined;
    await shutdown();
  };
  if (config) m.boot(config);
  return m;
}
