import { type TFunction } from 'i18next';
import { type BridgeError } from '../../shared/bridge/errors.js';

const KNOWN = new Set([
  'transport_closed',
  'hub_unreachable',
  'not_signed_in',
  'unauthorized',
  'forbidden',
  'not_found',
  'hub_error',
  'invalid_request',
]);

/** A BridgeError in the agent's language; never main's raw message for unexpected codes. */
export function describeError(t: TFunction, error: BridgeError): string {
  return KNOWN.has(error.code)
    ? t(`errors.${error.code}`)
    : t('errors.other', { code: error.code });
}
