import { randomUUID } from 'node:crypto';
import { type Db } from '../db/db.js';
import { type Log } from '../log.js';
import { EVENTS_CHANNEL } from './append.js';

/** The NOTIFY channel hubs announce themselves on. */
export const HUBS_CHANNEL = 'concierge_hubs';

interface Announcement {
  hub: string;
  kind: 'hello' | 'here';
}

const peersOf = new WeakMap<Db, HubPeers>();

/**
 * Whether a commit on `db` should NOTIFY the events channel: only when another hub shares the
 * database. A lone hub delivers its own commits in process, and each NOTIFY costs a wake-up of
 * the listening connection's server process and of the hub (measured: ~0.1–0.25 ms of CPU per
 * commit on this 2-core VM, four commits per routed task). Unknown (no `HubPeers` on this
 * database handle): notify.
 */
export function notifiesPeers(db: Db): boolean {
  return peersOf.get(db)?.others ?? true;
}

/**
 * Finds the other hubs on the same database: each hub says hello on `HUBS_CHANNEL` when it starts
 * listening (and again after its listening connection reconnected); the others answer, so both
 * sides know. Once another hub has been heard, this hub NOTIFYs on every commit (until it
 * restarts — a hub that left costs only the wake-ups). A hub that hears a newcomer also sends one
 * wake-up on the events channel: commits it made between the newcomer's start and the hello, not
 * notified, reach the newcomer at once instead of at its next poll.
 */
export class HubPeers {
  readonly id = randomUUID();
  /** Another hub was heard on this database. */
  others = false;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    peersOf.set(this.db, this);
    this.unlisten = await this.db.listen(HUBS_CHANNEL, (payload) => void this.heard(payload));
    await this.announce('hello');
  }

  private async heard(payload: string): Promise<void> {
    // '' = the listening connection was re-established: we may have been missed, say hello.
    if (payload === '') return this.announce('hello');
    let a: Announcement;
    try {
      a = JSON.parse(payload) as Announcement;
    } catch {
      return;
    }
    if (a.hub === this.id) return;
    this.others = true;
    if (a.kind !== 'hello') return;
    await this.announce('here');
    await this.notify(EVENTS_CHANNEL, '');
  }

  private announce(kind: Announcement['kind']): Promise<void> {
    return this.notify(HUBS_CHANNEL, JSON.stringify({ hub: this.id, kind }));
  }

  private async notify(channel: string, payload: string): Promise<void> {
    try {
      await this.db.query('select pg_notify($1, $2)', [channel, payload]);
    } catch (err) {
      this.log.error({ err }, 'hub announcement failed');
    }
  }

  async stop(): Promise<void> {
    if (peersOf.get(this.db) === this) peersOf.delete(this.db);
    await this.unlisten?.().catch(() => {});
  }
}
