import { type ApiErrorCode } from '../shared/api/index.js';

const STATUS: Record<ApiErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal: 500,
  offer_not_pending: 409,
  topic_required: 422,
  invalid_state: 409,
  unknown_pause_reason: 400,
};

/** An error the API answers as `{error:{code,message,details?}}` with the code's HTTP status. */
export class HubError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HubError';
    this.status = STATUS[code];
  }
}
