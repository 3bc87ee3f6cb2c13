import type { z } from 'zod';
import {
  bridgeCalls,
  bridgeEvents,
  isCallName,
  isEventName,
  type CallName,
  type CallParsedRequest,
  type CallResponse,
  type EventName,
  type EventPayload,
} from './contract.js';
import { BridgeError, type BridgeEnvelope } from './errors.js';

/** What main implements: one handler per call, receiving the already-validated request. */
export type BridgeHandlers = {
  [N in CallName]: (request: CallParsedRequest<N>) => Promise<CallResponse<N>>;
};

export const zodIssues = (error: z.ZodError): { path: string; message: string }[] =>
  error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));

/**
 * Runs one call from any transport: checks the name, parses the payload, runs the handler and
 * checks its answer. Never throws; errors come back as an envelope the renderer turns into a
 * typed BridgeError.
 */
export async function dispatchCall(
  handlers: BridgeHandlers,
  name: unknown,
  payload: unknown,
  onInternalError: (error: unknown) => void = () => undefined,
): Promise<BridgeEnvelope> {
  if (!isCallName(name)) {
    return {
      ok: false,
      error: { code: 'unknown_call', message: `unknown call ${JSON.stringify(name)}` },
    };
  }
  const spec = bridgeCalls[name];
  const parsed = spec.request.safeParse(payload ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'invalid_request',
        message: `invalid request for ${name}`,
        details: zodIssues(parsed.error),
      },
    };
  }
  try {
    const handler = handlers[name] as (req: unknown) => Promise<unknown>;
    const value: unknown = await handler(parsed.data);
    const checked = spec.response.safeParse(value);
    if (!checked.success) {
      onInternalError(checked.error);
      return {
        ok: false,
        error: { code: 'invalid_response', message: `main answered ${name} with an invalid value` },
      };
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    if (error instanceof BridgeError) return { ok: false, error: error.toBody() };
    onInternalError(error);
    return { ok: false, error: { code: 'internal', message: `${name} failed unexpectedly` } };
  }
}

/** Validates an event before main sends it, so a bug shows in main, not as a broken UI. */
export function checkEvent<E extends EventName>(
  name: E,
  payload: EventPayload<E>,
): EventPayload<E> {
  if (!isEventName(name)) throw new BridgeError('internal', `unknown event ${String(name)}`);
  return bridgeEvents[name].parse(payload) as EventPayload<E>;
}
