import { computed, inject, shallowRef, type App, type ComputedRef, type InjectionKey, type Plugin } from 'vue';
import { commandsOf, createMessenger, type ConversationStatus, type MessengerCommands, type Message, type Messenger, type MessengerConfig } from 'madoguchi';

export type { MessengerCommands } from 'madoguchi';

/** The messenger's commands, bound to the messenger of the app. */

/** What `useMessenger` returns: the commands, read-only refs of the state they change, and the messenger itself. */
export interface UseMessenger extends MessengerCommands {
  /** Whether the panel is open (`open` is the command that opens it). */
  isOpen: ComputedRef<boolean>;
  /** Replies that arrived while the panel was closed. */
  unread: ComputedRef<number>;
  /** Who is on the other side: the bot, a queue, a person, closed or away. */
  status: ComputedRef<ConversationStatus>;
  /** The conversation, oldest first. */
  messages: ComputedRef<readonly Message[]>;
  /** The `Messenger` of `createMessenger`, for what the composable does not cover (search, flows, insights). */
  messenger: Messenger;
}

const key: InjectionKey<UseMessenger> = Symbol('madoguchi');

interface Readable<T> {
  get(): T;
  subscribe(listener: (value: T) => void): () => void;
}

/** A read-only ref that follows one of the messenger's atoms; returns it and how to stop following. */
function follow<T>(store: Readable<T>): [ComputedRef<T>, () => void] {
  const value = shallowRef(store.get());
  const stop = store.subscribe((next) => (value.value = next));
  return [computed(() => value.value), stop];
}

/**
 * `app.use(Madoguchi, config)`: creates the app's messenger (its widget appears once it has
 * booted) for `useMessenger`. Leave the config out to boot later with `boot`. It boots only in a
 * browser: a server render shows the initial state. Unmounting the app shuts the messenger down
 * (Vue 3.5 and later).
 */
export const Madoguchi: Plugin<[MessengerConfig?]> = {
  install(app: App, config?: MessengerConfig) {
    const messenger = createMessenger();
    if (config && typeof document !== 'undefined') messenger.boot(config);
    const [isOpen, stopOpen] = follow(messenger.state.$open);
    const [unread, stopUnread] = follow(messenger.state.$unread);
    const [status, stopStatus] = follow(messenger.state.$status);
    const [messages, stopMessages] = follow(messenger.state.$messages);
    app.provide(key, {
      ...commandsOf(messenger),
      isOpen,
      unread,
      status,
      messages,
      messenger,
    });
    // `onUnmount` arrived in Vue 3.5; before it, the messenger lives as long as the page.
    app.onUnmount?.(() => {
      for (const stop of [stopOpen, stopUnread, stopStatus, stopMessages]) stop();
      void messenger.shutdown();
    });
  },
};

/**
 * The app's messenger: its commands and read-only refs of its state (`isOpen`, `unread`, `status`,
 * `messages`), which templates and watchers follow. Call it in `setup`, in an app that used `Madoguchi`.
 */
export function useMessenger(): UseMessenger {
  const messenger = inject(key, null);
  if (!messenger) throw new Error('[madoguchi] useMessenger() needs the plugin: app.use(Madoguchi, config)');
  return messenger;
}
