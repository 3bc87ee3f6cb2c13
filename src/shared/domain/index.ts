export * from './agent.js';
export * from './ticket.js';
export * from './work.js';
export * from './queue.js';
export * from './routing.js';
