import { type HubEvent } from '../../shared/api/index.js';

type Listener = (event: HubEvent) => void;

/** One stream's place in the audience (see StreamAudience). */
export interface AudienceMember {
  /** Receive every event (supervisors; any stream while it replays) or only what concerns it. */
  receiveEverything(on: boolean): void;
  /** Also receive the events about this ticket. */
  watch(ticketId: string): void;
  unwatch(ticketId: string): void;
  leave(): void;
}

class Member implements AudienceMember {
  private readonly tickets = new Set<string>();
  private everything = false;
  private left = false;

  constructor(
    private readonly audience: StreamAudience,
    private readonly agentId: string,
    readonly listener: Listener,
  ) {}

  receiveEverything(on: boolean): void {
    if (this.left || on === this.everything) return;
    this.everything = on;
    if (on) this.audience.everything.add(this);
    else this.audience.everything.delete(this);
  }

  watch(ticketId: string): void {
    if (this.left || this.tickets.has(ticketId)) return;
    this.tickets.add(ticketId);
    add(this.audience.byTicket, ticketId, this);
  }

  unwatch(ticketId: string): void {
    if (!this.tickets.delete(ticketId)) return;
    remove(this.audience.byTicket, ticketId, this);
  }

  leave(): void {
    if (this.left) return;
    this.receiveEverything(false);
    for (const ticketId of [...this.tickets]) this.unwatch(ticketId);
    remove(this.audience.byAgent, this.agentId, this);
    this.left = true;
  }

  get active(): boolean {
    return !this.left;
  }
}

function add(index: Map<string, Set<Member>>, key: string, member: Member): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(member);
}

function remove(index: Map<string, Set<Member>>, key: string, member: Member): void {
  const set = index.get(key);
  if (!set?.delete(member)) return;
  if (set.size === 0) index.delete(key);
}

/**
 * Hands each event only to the streams it can concern: those receiving everything, the agent it
 * names and the streams watching its ticket — instead of offering every event to every stream
 * (200 connected agents: a task's ~13 events were ~2,600 visibility checks on the hub's one
 * thread). Each stream's StreamVisibility still decides what it sends; this only skips the
 * streams it would refuse (it refuses any event that neither names its agent nor is about one of
 * its tickets).
 */
export class StreamAudience {
  /** @internal (Member) */
  readonly everything = new Set<Member>();
  /** @internal (Member) */
  readonly byAgent = new Map<string, Set<Member>>();
  /** @internal (Member) */
  readonly byTicket = new Map<string, Set<Member>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  /** A new member receives the events naming `agentId`; see AudienceMember for the rest. */
  join(agentId: string, listener: Listener): AudienceMember {
    const member = new Member(this, agentId, listener);
    add(this.byAgent, agentId, member);
    return member;
  }

  publish(event: HubEvent): void {
    // Recipients are fixed before anyone hears the event: a listener that watches or unwatches a
    // ticket (a reassignment) changes who hears the next one, as with a full fan-out.
    const recipients = new Set(this.everything);
    const byAgent = event.agentId === null ? undefined : this.byAgent.get(event.agentId);
    const byTicket = event.ticketId === null ? undefined : this.byTicket.get(event.ticketId);
    if (byAgent) for (const m of byAgent) recipients.add(m);
    if (byTicket) for (const m of byTicket) recipients.add(m);
    for (const m of recipients) {
      if (!m.active) continue;
      try {
        m.listener(event);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
