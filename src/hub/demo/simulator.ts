import { type InboundMessageRequest } from '../../shared/api/index.js';
import { type HubContext } from '../context.js';
import { receiveInbound } from '../tickets/inbound.js';
import { DEMO_CHANNELS, DEMO_CUSTOMERS, DEMO_MESSAGES } from './data.js';

export interface Simulator {
  stop(): Promise<void>;
}

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)]!;
}

/** One realistic inbound message from a demo customer (e-mail, chat, API or Messenger). */
export function demoMessage(): InboundMessageRequest {
  const customer = pick(DEMO_CUSTOMERS);
  const template = pick(DEMO_MESSAGES[customer.lang]);
  const order = `#${100000 + Math.floor(Math.random() * 900000)}`;
  return {
    channel: pick(DEMO_CHANNELS),
    from: {
      ...(customer.email ? { email: customer.email } : {}),
      ...(customer.phone ? { phone: customer.phone } : {}),
      name: customer.name,
    },
    subject: template.subject,
    text: template.text.replace('{n}', order),
    queue: template.queue,
  };
}

/**
 * Posts a demo message every ~intervalMs (±25 %), through the same service as the inbound
 * endpoint. Demo customers reuse their open ticket, so the load stays gentle.
 */
export function startSimulator(ctx: HubContext, opts: { intervalMs: number }): Simulator {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();

  const schedule = (): void => {
    if (stopped) return;
    const delay = opts.intervalMs * (0.75 + Math.random() * 0.5);
    timer = setTimeout(() => {
      inFlight = receiveInbound(ctx, demoMessage())
        .catch((err: unknown) => ctx.log.warn({ err }, 'simulator message failed'))
        .finally(schedule);
    }, delay);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
