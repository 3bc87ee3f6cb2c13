/** The slice of a pino/fastify logger the services use (so they do not depend on fastify). */
export interface Log {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };

/** A log whose destination is set later (the HTTP logger exists only after storage is open). */
export class ForwardingLog implements Log {
  target: Log = silentLog;
  info(obj: unknown, msg?: string): void {
    this.target.info(obj, msg);
  }
  warn(obj: unknown, msg?: string): void {
    this.target.warn(obj, msg);
  }
  error(obj: unknown, msg?: string): void {
    this.target.error(obj, msg);
  }
}
