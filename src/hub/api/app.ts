import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { type HubContext } from '../context.js';
import { HUB_VERSION } from '../version.js';
import { installErrorHandlers } from './errors.js';
import { installGuard } from './guard.js';
import { loggerOptions, type LoggingOptions } from './logging.js';
import { type CallCenter } from '../telephony/call-center.js';
import { authRoutes } from './routes/auth.js';
import { customerRoutes } from './routes/customers.js';
import { inboundRoutes } from './routes/inbound.js';
import { meRoutes } from './routes/me.js';
import { miscRoutes } from './routes/misc.js';
import { routingRoutes } from './routes/routing.js';
import { ticketRoutes } from './routes/tickets.js';
import { telephonyRoutes } from './routes/telephony.js';
import { streamRoutes } from './stream.js';

export interface AppOptions {
  /** false = no logging (tests). */
  logging: LoggingOptions | false;
  pingIntervalMs: number;
  /** Call routing through Kamailio (issue 5); null = SIP settings answer 404. */
  telephony?: CallCenter | null;
}

/** Builds the hub's HTTP + WebSocket application (not listening yet). */
export async function buildApp(ctx: HubContext, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logging === false ? false : loggerOptions(opts.logging),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);
  installGuard(app, ctx);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Concierge hub API',
        version: HUB_VERSION,
        description:
          'Errors are `{error:{code,message,details?}}`; clients switch on `code`. ' +
          'Events: WebSocket `GET /api/v1/stream?after=<lastEventId>` (token in the Authorization ' +
          'header or `?token=`), frames `ready` then `event` in id order, close code 4401 on a bad ' +
          'token. OpenAPI 3.0 cannot describe WebSockets, so it is documented in docs/api.md.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  await app.register(
    async (v1) => {
      await v1.register(authRoutes(ctx));
      await v1.register(meRoutes(ctx));
      await v1.register(ticketRoutes(ctx));
      await v1.register(inboundRoutes(ctx));
      await v1.register(miscRoutes(ctx, opts.telephony ?? null));
      await v1.register(routingRoutes(ctx));
      await v1.register(customerRoutes(ctx));
      await v1.register(telephonyRoutes(ctx, opts.telephony ?? null));
      await v1.register(streamRoutes(ctx, { pingIntervalMs: opts.pingIntervalMs }));
    },
    { prefix: '/api/v1' },
  );
  return app;
}
