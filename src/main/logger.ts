/** The one logging seam of the main-process services; the shells decide where lines go. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values never reach a log line, whatever the caller passes. */
const SECRET_FIELD = /pass(word)?|token|secret|authorization|cookie/i;

export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(key)) out[key] = '[redacted]';
    else if (value instanceof Error) out[key] = value.message;
    else out[key] = value;
  }
  return out;
}

/** Line-oriented logger on stderr (stdout is reserved for the lines launchers parse). */
export function createConsoleLogger(
  scope: string,
  minLevel: Level = (process.env.CONCIERGE_LOG_LEVEL as Level | undefined) ?? 'info',
): Logger {
  const threshold = order[minLevel] ?? order.info;
  const write = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (order[level] < threshold) return;
    const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(redact(fields))}` : '';
    process.stderr.write(`${new Date().toISOString()} ${level} [${scope}] ${message}${extra}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
