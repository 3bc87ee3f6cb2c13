export * from './errors.js';
export * from './auth.js';
export * from './inbound.js';
export * from './agent.js';
export * from './replies.js';
export * from './events.js';
export * from './routing.js';
