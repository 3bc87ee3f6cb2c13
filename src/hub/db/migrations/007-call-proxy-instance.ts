/**
 * Version 7: which Kamailio instance (the id in its evapi hello: start time and evapi process id)
 * held a queue call's transaction. A hub taking over after Kamailio restarted ends the waiting and
 * ringing calls of another instance as lost with the proxy instead of resuming them; rows without
 * it (older calls) are resumed as before.
 */
export const sql = /* sql */ `
alter table calls add column kamailio_instance text;
`;
