import { type z } from 'zod';
import { CustomerSearchResponse, SipSettings } from '../../shared/api/telephony.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { toBridgeError } from '../sync/hub-client.js';

/**
 * The hub calls of the softphone: SIP settings and the screen-pop lookup. Own small client so the
 * sync client stays as it is; errors map to the same BridgeError codes.
 */
export class HubTelephony {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly timeoutMs = 8000,
  ) {}

  /** null when the hub has no telephony (404). */
  async sipSettings(): Promise<SipSettings | null> {
    try {
      return await this.get('/api/v1/me/sip', SipSettings);
    } catch (error) {
      if (error instanceof BridgeError && error.code === 'not_found') return null;
      throw error;
    }
  }

  lookup(phone: string) {
    return this.get(`/api/v1/customers?phone=${encodeURIComponent(phone)}`, CustomerSearchResponse);
  }

  private async get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(`${this.baseUrl.replace(/\/+$/, '')}${path}`, {
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch {
      throw new BridgeError('hub_unreachable', `cannot reach the hub at ${this.baseUrl}`);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) throw toBridgeError(res.status, json);
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new BridgeError('hub_error', `the hub answered ${path} unexpectedly`);
    return parsed.data;
  }
}
