import Fastify from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HubError } from '../errors.js';
import { installErrorHandlers } from './errors.js';

describe('API error handler', () => {
  it('answers every failure with the JSON error body and never leaks internals', async () => {
    const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandlers(app);
    app.get('/boom', async () => {
      throw new Error('connection to db at 10.0.0.5 with password hunter2 failed');
    });
    app.get('/conflict', async () => {
      throw new HubError('conflict', 'the ticket is closed', { ticketId: 'x' });
    });
    app.post('/strict', { schema: { body: z.object({ n: z.number() }) } }, async () => ({
      ok: true,
    }));

    const boom = await app.inject({ method: 'GET', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(boom.body).not.toContain('hunter2');

    const conflict = await app.inject({ method: 'GET', url: '/conflict' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({
      error: { code: 'conflict', message: 'the ticket is closed', details: { ticketId: 'x' } },
    });

    const invalid = await app.inject({ method: 'POST', url: '/strict', payload: { n: 'one' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.code).toBe('bad_request');
    expect(invalid.json().error.details.issues[0]).toMatchObject({ in: 'body', path: '/n' });

    const missing = await app.inject({ method: 'DELETE', url: '/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    await app.close();
  });
});
