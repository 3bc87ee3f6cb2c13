import { type EventName, type EventPayload } from '../shared/bridge/contract.js';
import { checkEvent } from '../shared/bridge/server.js';
import { type Logger } from './logger.js';

export type EventListener = (name: EventName, payload: unknown) => void;

/**
 * Main → renderer events. Every payload is checked against the contract before it leaves, so a
 * bug shows up in main's log instead of as a broken screen; one failing listener (a transport)
 * does not keep the event from the others.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly logger: Logger) {}

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    let checked: EventPayload<E>;
    try {
      checked = checkEvent(name, payload);
    } catch (error) {
      this.logger.error('dropped an invalid event', { name, error });
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(name, checked);
      } catch (error) {
        this.logger.error('event listener failed', { name, error });
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
