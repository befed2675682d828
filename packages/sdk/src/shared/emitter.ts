import type { ClientEvent, ClientListener } from './types.js';

/**
 * The clients' tiny event emitter. A listener that throws is isolated and reported through `onListenerError`:
 * an application bug in an `on('change')` handler must not break delivery.
 *
 * @example
 * const events = new Emitter();
 * const off = events.on('change', (p) => console.log(p));
 * events.emit('change', { version: 42 });
 * off();
 */
export class Emitter {
  private readonly listeners = new Map<ClientEvent, Set<ClientListener>>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  on(event: ClientEvent, listener: ClientListener): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit(event: ClientEvent, payload?: unknown): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
