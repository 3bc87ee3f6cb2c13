import { type Notification } from '../shared/bridge/contract.js';

/** Draws the agent's attention outside the page (OS notification). The shells implement it. */
export interface Notifier {
  notify(notification: Notification): void;
}
