import { type TFunction } from 'i18next';
import { BridgeError } from '../../../shared/bridge/errors.js';

export type LoginField = 'hubUrl' | 'login' | 'password';

export interface LoginErrors {
  /** Shown above the form (wrong password, hub unreachable, anything unexpected). */
  form: string | null;
  fields: Partial<Record<LoginField, string>>;
}

const FIELD_MESSAGE: Record<LoginField, string> = {
  hubUrl: 'login.errors.hubUrlInvalid',
  login: 'login.errors.loginRequired',
  password: 'login.errors.passwordRequired',
};

const isField = (value: unknown): value is LoginField =>
  value === 'hubUrl' || value === 'login' || value === 'password';

/** Field paths named in an invalid_request's details ([{path, message}] from the zod issues). */
function invalidFields(details: unknown): LoginField[] {
  if (!Array.isArray(details)) return [];
  const fields = details
    .map((issue: unknown) =>
      issue && typeof issue === 'object' && 'path' in issue
        ? String((issue as { path: unknown }).path).split('.')[0]
        : undefined,
    )
    .filter(isField);
  return [...new Set(fields)];
}

/** Explains a failed sign-in per BridgeError code, in the agent's words rather than the hub's. */
export function loginErrors(t: TFunction, error: unknown, hubUrl: string): LoginErrors {
  if (!(error instanceof BridgeError)) {
    return { form: t('login.errors.other', { message: String(error) }), fields: {} };
  }
  switch (error.code) {
    case 'unauthorized':
      return { form: t('login.errors.unauthorized'), fields: {} };
    case 'hub_unreachable':
      return { form: t('login.errors.hubUnreachable', { url: hubUrl }), fields: {} };
    case 'invalid_request': {
      const fields = invalidFields(error.details);
      if (fields.length === 0) return { form: t('errors.invalid_request'), fields: {} };
      return {
        form: null,
        fields: Object.fromEntries(fields.map((f) => [f, t(FIELD_MESSAGE[f])])),
      };
    }
    case 'transport_closed':
      return { form: t('errors.transport_closed'), fields: {} };
    default:
      return { form: t('login.errors.other', { message: error.message }), fields: {} };
  }
}
