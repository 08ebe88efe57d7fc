import { createContext, createElement, useContext, useEffect, useState, useSyncExternalStore, type ReactElement, type ReactNode } from 'react';
import { commandsOf, createMessenger, type ConversationStatus, type MessengerCommands, type Message, type Messenger, type MessengerConfig } from 'madoguchi';

export type { MessengerCommands } from 'madoguchi';

/** The messenger's commands, bound to the messenger of the nearest provider. */

/** What `useMessenger` returns: the commands, the state they change, and the messenger itself. */
export interface UseMessenger extends MessengerCommands {
  /** Whether the panel is open (`open` is the command that opens it). */
  isOpen: boolean;
  /** Replies that arrived while the panel was closed. */
  unread: number;
  /** Who is on the other side: the bot, a queue, a person, closed or away. */
  status: ConversationStatus;
  /** The conversation, oldest first. */
  messages: readonly Message[];
  /** The `Messenger` of `createMessenger`, for what the hook does not cover (search, flows, insights). */
  messenger: Messenger;
}

/** One provider's messenger and whether it runs; shared by StrictMode's repeated effects. */
interface Holder {
  messenger: Messenger;
  commands: MessengerCommands;
  mounts: number;
  stopping?: ReturnType<typeof setTimeout>;
}

const MessengerContext = createContext<Holder | null>(null);

export interface MessengerProviderProps {
  /** The boot config, read once when the provider mounts; later changes go through `update` or `boot`. Leave it out to boot later. */
  config?: MessengerConfig;
  children?: ReactNode;
}

/**
 * Creates the messenger (its widget appears once it has booted) and hands it to `useMessenger`
 * below. A provider has one messenger for its whole life: StrictMode's second mount reuses it,
 * and only a real unmount shuts it down.
 */
export function MessengerProvider({ config, children }: MessengerProviderProps): ReactElement {
  const [holder] = useState(() => createHolder());
  useEffect(() => {
    clearTimeout(holder.stopping);
    holder.stopping = undefined;
    if (holder.mounts++ === 0 && config && !holder.messenger.state.$booted.get()) holder.messenger.boot(config);
    return () => {
      // StrictMode unmounts and mounts again at once: shut down only if no mount follows.
      if (--holder.mounts === 0) holder.stopping = setTimeout(() => void holder.messenger.shutdown());
    };
    // The config is read once, on mount (see MessengerProviderProps).
  }, [holder]);
  return createElement(MessengerContext.Provider, { value: holder }, children);
}

/** A messenger that has not booted yet: creating it touches neither the page nor storage. */
function createHolder(): Holder {
  const messenger = createMessenger();
  return { messenger, commands: commandsOf(messenger), mounts: 0 };
}

interface Readable<T> {
  get(): T;
  listen(listener: (value: T) => void): () => void;
}

/** The value of one of the messenger's atoms, re-rendering when it changes. */
function useAtom<T>(store: Readable<T>): T {
  const [source] = useState(() => ({ subscribe: (changed: () => void) => store.listen(changed), get: () => store.get() }));
  return useSyncExternalStore(source.subscribe, source.get, source.get);
}

/**
 * The messenger of the nearest `MessengerProvider`: its commands (stable across renders) and its
 * state (`isOpen`, `unread`, `status`, `messages`), which re-render the component when they change.
 */
export function useMessenger(): UseMessenger {
  const holder = useContext(MessengerContext);
  if (!holder) throw new Error('[madoguchi] useMessenger() must be called inside <MessengerProvider>');
  const { state } = holder.messenger;
  const isOpen = useAtom(state.$open);
  const unread = useAtom(state.$unread);
  const status = useAtom(state.$status);
  const messages = useAtom(state.$messages);
  return { ...holder.commands, isOpen, unread, status, messages, messenger: holder.messenger };
}
