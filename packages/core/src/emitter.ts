type Handler = (...args: any[]) => void;

/** A tiny typed event emitter; a throwing handler is reported, never rethrown into the caller. */
export interface Emitter<Events extends { [K in keyof Events]: Handler }> {
  on<K extends keyof Events>(name: K, handler: Events[K]): () => void;
  off<K extends keyof Events>(name: K, handler: Events[K]): void;
  /** Calls every handler; returns what they returned (a handler that threw gives undefined). */
  emit<K extends keyof Events>(name: K, ...args: Parameters<Events[K]>): unknown[];
  clear(): void;
}

export function createEmitter<Events extends { [K in keyof Events]: Handler }>(
  onHandlerError: (error: unknown, name: string) => void,
): Emitter<Events> {
  let handlers: Record<string, Handler[]> = {};
  const off = (name: PropertyKey, handler: Handler) => {
    const list = handlers[name as string];
    if (list) handlers[name as string] = list.filter((h) => h !== handler);
  };
  return {
    on(name, handler) {
      (handlers[name as string] ||= []).push(handler);
      return () => off(name, handler);
    },
    off,
    emit(name, ...args) {
      return (handlers[name as string] || []).map((handler) => {
        try {
          return handler(...args);
        } catch (error) {
          if (name !== 'error') onHandlerError(error, name as string);
        }
      });
    },
    clear() {
      handlers = {};
    },
  };
}
