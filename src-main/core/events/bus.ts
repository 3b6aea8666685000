import type { EkidenEvent } from './types';

type Listener = (event: EkidenEvent) => void;

/**
 * The in-process event bus: the core emits, telemetry / tray / IPC / CLI subscribe.
 * Delivery is synchronous and a failing subscriber never reaches the emitter (nor other subscribers).
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  emit(event: EkidenEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribe to one event type with a narrowed payload. */
  on<T extends EkidenEvent['type']>(type: T, listener: (event: Extract<EkidenEvent, { type: T }>) => void): () => void {
    return this.subscribe((event) => {
      if (event.type === type) listener(event as Extract<EkidenEvent, { type: T }>);
    });
  }
}
