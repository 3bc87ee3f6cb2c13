import { z } from 'zod';
import { BridgeEnvelope } from './errors.js';

/** Frames of the browser-mode transport: the same calls and events as Electron IPC, over a WebSocket. */
export const WsClientFrame = z.object({
  t: z.literal('call'),
  id: z.number().int().nonnegative(),
  name: z.string().max(100),
  payload: z.unknown(),
});
export type WsClientFrame = z.infer<typeof WsClientFrame>;

export const WsServerFrame = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('result'),
    id: z.number().int().nonnegative(),
    envelope: BridgeEnvelope,
  }),
  z.object({ t: z.literal('event'), name: z.string(), payload: z.unknown() }),
]);
export type WsServerFrame = z.infer<typeof WsServerFrame>;

export { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from './channels.js';
