/**
 * Electron IPC channel names: one for calls, one for events. In their own module so the sandboxed
 * preload can import them without bundling zod.
 */
export const IPC_CALL_CHANNEL = 'concierge:call';
export const IPC_EVENT_CHANNEL = 'concierge:event';
