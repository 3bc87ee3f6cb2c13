import { type Channel } from '../../shared/domain/index.js';

/** A queued task as the matcher sees it. */
export interface TaskView {
  id: string;
  queueId: string;
  channel: Channel;
  priority: number;
  /** Epoch ms; null = no SLA deadline (after those that have one). */
  slaDeadline: number | null;
  /** Epoch ms of queue entry (kept when a task returns to the queue: it goes back to the head). */
  createdAt: number;
  language: string | null;
  skills: Readonly<Record<string, number>>;
  /** Agents who rejected or missed this task: never offered it again. */
  skippedAgents: ReadonlySet<string>;
  /** The queue assigns without an offer on this channel. */
  autoAccept: boolean;
}

/** An agent as the matcher sees it. */
export interface AgentView {
  id: string;
  /** The agent chose `available`, is connected, not wrapping up and has no pending offer. */
  ready: boolean;
  /** Epoch ms the agent became idle (last task given or became available); null = never. */
  idleSince: number | null;
  tasksToday: number;
  /** Queue id → membership priority (higher first). */
  queues: ReadonlyMap<string, number>;
  languages: ReadonlySet<string>;
  skills: Readonly<Record<string, number>>;
  capacity: Readonly<Partial<Record<Channel, number>>>;
  /** Tasks offered, assigned or wrapping, per channel. */
  load: Partial<Record<Channel, number>>;
  voiceExclusive: boolean;
}

export interface Proposal {
  taskId: string;
  agentId: string;
  /** false = an offer the agent must accept; true = assigned at once (auto-accept). */
  autoAccept: boolean;
}

/** Task order: priority (high first), then SLA deadline (earliest first, none last), then age. */
export function compareTasks(a: TaskView, b: TaskView): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const da = a.slaDeadline ?? Number.POSITIVE_INFINITY;
  const db = b.slaDeadline ?? Number.POSITIVE_INFINITY;
  if (da !== db) return da < db ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether `agent` may take `task` right now (eligibility, capacity, voice exclusivity). */
export function eligible(agent: AgentView, task: TaskView): boolean {
  if (!agent.ready) return false;
  if (!agent.queues.has(task.queueId)) return false;
  if (task.skippedAgents.has(agent.id)) return false;
  if (task.language !== null && !agent.languages.has(task.language)) return false;
  for (const [skill, level] of Object.entries(task.skills)) {
    if ((agent.skills[skill] ?? 0) < level) return false;
  }
  const used = agent.load[task.channel] ?? 0;
  if (used >= (agent.capacity[task.channel] ?? 0)) return false;
  if (agent.voiceExclusive && (agent.load.voice ?? 0) > 0) return false;
  return true;
}

/** Agent order for one task: membership tier, then longest idle, then fewest tasks today, then id. */
export function compareAgents(task: TaskView, a: AgentView, b: AgentView): number {
  const pa = a.queues.get(task.queueId) ?? 0;
  const pb = b.queues.get(task.queueId) ?? 0;
  if (pa !== pb) return pb - pa;
  const ia = a.idleSince ?? Number.NEGATIVE_INFINITY;
  const ib = b.idleSince ?? Number.NEGATIVE_INFINITY;
  if (ia !== ib) return ia < ib ? -1 : 1;
  if (a.tasksToday !== b.tasksToday) return a.tasksToday - b.tasksToday;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Push routing as a pure function: walks tasks in order and gives each to the best eligible agent.
 * An offer takes the agent out of the round (one pending offer per agent); an auto-accepted task
 * counts against capacity and sends the agent to the back of the idle line, so a batch spreads
 * like a sequence of single decisions would. Inputs are not mutated.
 */
export function match(
  tasks: readonly TaskView[],
  agents: readonly AgentView[],
  now: number,
): Proposal[] {
  const pool = agents.map((a) => ({ ...a, load: { ...a.load } }));
  const out: Proposal[] = [];
  for (const task of [...tasks].sort(compareTasks)) {
    let best: (typeof pool)[number] | undefined;
    for (const agent of pool) {
      if (!eligible(agent, task)) continue;
      if (!best || compareAgents(task, agent, best) < 0) best = agent;
    }
    if (!best) continue;
    out.push({ taskId: task.id, agentId: best.id, autoAccept: task.autoAccept });
    best.load[task.channel] = (best.load[task.channel] ?? 0) + 1;
    if (task.autoAccept) {
      best.idleSince = now;
      best.tasksToday += 1;
    } else {
      best.ready = false;
    }
  }
  return out;
}
