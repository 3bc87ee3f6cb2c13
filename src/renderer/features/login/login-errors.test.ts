import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBridgeClient } from '../../../shared/bridge/client.js';
import { BridgeError } from '../../../shared/bridge/errors.js';
import { en } from '../../i18n/en.js';
import { pl } from '../../i18n/pl.js';
import { loginErrors } from './login-errors.js';

const t = i18next.createInstance();
beforeAll(async () => {
  await t.init({
    lng: 'en',
    resources: { en: { translation: en }, pl: { translation: pl } },
    interpolation: { escapeValue: false },
  });
});

/** The invalid_request the bridge client itself raises for bad input (no main involved). */
async function clientValidationError(input: { hubUrl: string; login: string; password: string }) {
  const api = createBridgeClient({
    invoke: () => Promise.reject(new Error('must not be sent')),
    onEvent: () => () => undefined,
  });
  return api.call('session.login', input).catch((e: unknown) => e);
}

describe('sign-in errors', () => {
  it('says wrong login or password for unauthorized', () => {
    const out = loginErrors(t.t, new BridgeError('unauthorized', 'x'), 'http://hub');
    expect(out).toEqual({ form: 'Wrong login or password.', fields: {} });
  });

  it('names the hub URL it could not reach', () => {
    const out = loginErrors(t.t, new BridgeError('hub_unreachable', 'x'), 'http://10.0.0.9:7700');
    expect(out.form).toContain('http://10.0.0.9:7700');
  });

  it('puts invalid_request issues under the fields they concern', async () => {
    const error = await clientValidationError({ hubUrl: 'ftp://x', login: ' ', password: '' });
    const out = loginErrors(t.t, error, 'ftp://x');
    expect(out.form).toBeNull();
    expect(Object.keys(out.fields).sort()).toEqual(['hubUrl', 'login', 'password']);
    expect(out.fields.hubUrl).toMatch(/http:\/\/ or https:\/\//);
  });

  it('speaks Polish when the agent does', async () => {
    await t.changeLanguage('pl');
    const out = loginErrors(t.t, new BridgeError('unauthorized', 'x'), 'http://hub');
    expect(out.form).toBe('Nieprawidłowy login lub hasło.');
    await t.changeLanguage('en');
  });
});
