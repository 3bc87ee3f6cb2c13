import { type FastifyError, type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type ApiErrorBody, type ApiErrorCode } from '../../shared/api/index.js';
import { HubError } from '../errors.js';

function body(code: ApiErrorCode, message: string, details?: unknown): ApiErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

const CODE_BY_STATUS: Record<number, ApiErrorCode> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  422: 'idempotency_key_reused',
  429: 'rate_limited',
};

/** Every error leaves the hub as `{error:{code,message,details?}}`; internals are never shown. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HubError, req, reply) => {
    if (err instanceof HubError) {
      return reply.status(err.status).send(body(err.code, err.message, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        in: err.validationContext ?? 'request',
        path: v.instancePath,
        message: v.message ?? 'invalid',
      }));
      return reply.status(400).send(body('bad_request', 'the request is not valid', { issues }));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = CODE_BY_STATUS[status] ?? 'bad_request';
      return reply
        .status(status === 413 || status === 415 ? 400 : status)
        .send(body(code, err.message));
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send(body('internal', 'internal error'));
  });

  app.setNotFoundHandler((req, reply) => {
    return reply
      .status(404)
      .send(body('not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
}
