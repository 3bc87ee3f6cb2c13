import {
  bridgeCalls,
  bridgeEvents,
  isEventName,
  type CallName,
  type CallRequest,
  type CallResponse,
  type EventName,
  type EventPayload,
} from './contract.js';
import { BridgeEnvelope, BridgeError } from './errors.js';
import { zodIssues } from './server.js';

/** The minimal surface a transport provides (Electron preload or WebSocket). */
export interface RawBridge {
  invoke(name: string, payload: unknown): Promise<unknown>;
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
}

/** The typed API the renderer uses; it never knows which transport is underneath. */
export interface ConciergeApi {
  call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function createBridgeClient(
  raw: RawBridge,
  onBadEvent: (name: string, error: unknown) => void = () => undefined,
): ConciergeApi {
  return {
    async call(name, request) {
      const spec = bridgeCalls[name];
      // Validate before sending: bad input is caught where it was made, with the same error shape.
      const parsed = spec.request.safeParse(request ?? {});
      if (!parsed.success) {
        throw new BridgeError(
          'invalid_request',
          `invalid request for ${name}`,
          zodIssues(parsed.error),
        );
      }
      const envelope = BridgeEnvelope.safeParse(await raw.invoke(name, parsed.data));
      if (!envelope.success) {
        throw new BridgeError('invalid_response', `malformed answer to ${name}`);
      }
      if (!envelope.data.ok) throw BridgeError.fromBody(envelope.data.error);
      const value = spec.response.safeParse(envelope.data.value);
      if (!value.success) throw new BridgeError('invalid_response', `invalid answer to ${name}`);
      return value.data as CallResponse<typeof name>;
    },
    on(name, listener) {
      return raw.onEvent((eventName, payload) => {
        if (eventName !== name || !isEventName(eventName)) return;
        const parsed = bridgeEvents[name].safeParse(payload);
        if (!parsed.success) {
          onBadEvent(eventName, parsed.error);
          return;
        }
        listener(parsed.data as EventPayload<typeof name>);
      });
    },
  };
}
