import { describe, expect, it } from 'vitest';
import { type Channel } from '../../shared/domain/index.js';
import {
  type AgentView,
  compareAgents,
  compareTasks,
  eligible,
  match,
  type TaskView,
} from './matcher.js';

/** Small deterministic PRNG (mulberry32) so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHANNELS: Channel[] = ['voice', 'chat', 'email', 'api'];
const QUEUES = ['q1', 'q2', 'q3'];
const LANGS = ['pl', 'en', 'de'];

function world(seed: number): { tasks: TaskView[]; agents: AgentView[] } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const agents: AgentView[] = Array.from({ length: 1 + Math.floor(r() * 12) }, (_, i) => {
    const load: AgentView['load'] = {};
    for (const c of CHANNELS) if (r() < 0.3) load[c] = Math.floor(r() * 3);
    return {
      id: `a${String(i).padStart(2, '0')}`,
      ready: r() < 0.8,
      idleSince: r() < 0.1 ? null : Math.floor(r() * 1000),
      tasksToday: Math.floor(r() * 5),
      queues: new Map(QUEUES.filter(() => r() < 0.6).map((q) => [q, Math.floor(r() * 3)])),
      languages: new Set(LANGS.filter(() => r() < 0.6)),
      skills: (r() < 0.5 ? { returns: 1 + Math.floor(r() * 5) } : {}) as Record<string, number>,
      capacity: { voice: 1, chat: Math.floor(r() * 4), email: Math.floor(r() * 6), api: 5 },
      load,
      voiceExclusive: r() < 0.8,
    };
  });
  const tasks: TaskView[] = Array.from({ length: Math.floor(r() * 40) }, (_, i) => ({
    id: `t${String(i).padStart(3, '0')}`,
    queueId: pick(QUEUES),
    channel: pick(CHANNELS),
    priority: Math.floor(r() * 3),
    slaDeadline: r() < 0.5 ? Math.floor(r() * 2000) : null,
    createdAt: Math.floor(r() * 1000),
    language: r() < 0.5 ? pick(LANGS) : null,
    skills: (r() < 0.3 ? { returns: 1 + Math.floor(r() * 5) } : {}) as Record<string, number>,
    skippedAgents: new Set(agents.filter(() => r() < 0.1).map((a) => a.id)),
    autoAccept: r() < 0.5,
  }));
  return { tasks, agents };
}

describe('matcher (property-style, 500 seeded random worlds)', () => {
  const seeds = Array.from({ length: 500 }, (_, i) => i + 1);

  it('never breaks capacity, eligibility, voice exclusivity or the one-offer rule, and offers a task once', () => {
    for (const seed of seeds) {
      const { tasks, agents } = world(seed);
      const out = match(tasks, agents, 5000);
      const byTask = new Map(tasks.map((t) => [t.id, t]));
      const state = new Map(agents.map((a) => [a.id, { ...a, load: { ...a.load } }]));
      const seenTasks = new Set<string>();
      const offered = new Set<string>();
      for (const p of out) {
        const task = byTask.get(p.taskId)!;
        const agent = state.get(p.agentId)!;
        expect(seenTasks.has(p.taskId), `seed ${seed}: task twice`).toBe(false);
        seenTasks.add(p.taskId);
        // Eligible at the moment of the decision, given the earlier decisions of the batch.
        expect(
          eligible(agent, task),
          `seed ${seed}: ${p.agentId} not eligible for ${p.taskId}`,
        ).toBe(true);
        expect(offered.has(p.agentId), `seed ${seed}: second pending offer`).toBe(false);
        agent.load[task.channel] = (agent.load[task.channel] ?? 0) + 1;
        expect(agent.load[task.channel]!).toBeLessThanOrEqual(agent.capacity[task.channel] ?? 0);
        expect(p.autoAccept).toBe(task.autoAccept);
        if (!task.autoAccept) {
          offered.add(p.agentId);
          agent.ready = false;
        } else {
          agent.idleSince = 5000;
          agent.tasksToday += 1;
        }
      }
    }
  });

  it('decides tasks in order (priority, SLA, age) and each goes to the best eligible agent', () => {
    for (const seed of seeds) {
      const { tasks, agents } = world(seed);
      const out = match(tasks, agents, 5000);
      const order = [...tasks].sort(compareTasks).map((t) => t.id);
      const positions = out.map((p) => order.indexOf(p.taskId));
      expect(positions, `seed ${seed}`).toEqual([...positions].sort((a, b) => a - b));

      // Replay: at each decision, no other eligible agent ranks before the chosen one, and a
      // task left out had no eligible agent when its turn came.
      const state = new Map(agents.map((a) => [a.id, { ...a, load: { ...a.load } }]));
      const decided = new Map(out.map((p) => [p.taskId, p]));
      for (const task of [...tasks].sort(compareTasks)) {
        const candidates = [...state.values()].filter((a) => eligible(a, task));
        const p = decided.get(task.id);
        if (!p) {
          expect(candidates, `seed ${seed}: ${task.id} skipped with candidates`).toEqual([]);
          continue;
        }
        const chosen = state.get(p.agentId)!;
        for (const other of candidates) {
          expect(compareAgents(task, chosen, other), `seed ${seed}`).toBeLessThanOrEqual(0);
        }
        chosen.load[task.channel] = (chosen.load[task.channel] ?? 0) + 1;
        if (task.autoAccept) {
          chosen.idleSince = 5000;
          chosen.tasksToday += 1;
        } else chosen.ready = false;
      }
    }
  });

  it('prefers the longest idle agent, then the one with fewer tasks today', () => {
    const base = {
      ready: true,
      queues: new Map([['q1', 0]]),
      languages: new Set<string>(),
      skills: {},
      capacity: { chat: 3 },
      load: {},
      voiceExclusive: true,
    };
    const task: TaskView = {
      id: 't',
      queueId: 'q1',
      channel: 'chat',
      priority: 0,
      slaDeadline: null,
      createdAt: 0,
      language: null,
      skills: {},
      skippedAgents: new Set(),
      autoAccept: false,
    };
    const agents: AgentView[] = [
      { ...base, id: 'late', idleSince: 200, tasksToday: 0 },
      { ...base, id: 'busyDay', idleSince: 100, tasksToday: 9 },
      { ...base, id: 'quietDay', idleSince: 100, tasksToday: 1 },
    ];
    expect(match([task], agents, 1000)).toEqual([
      { taskId: 't', agentId: 'quietDay', autoAccept: false },
    ]);
  });

  it('an agent on a call gets nothing else; skills, language and skips are respected', () => {
    const agent: AgentView = {
      id: 'a',
      ready: true,
      idleSince: 0,
      tasksToday: 0,
      queues: new Map([['q1', 0]]),
      languages: new Set(['pl']),
      skills: { returns: 2 },
      capacity: { chat: 3, voice: 1 },
      load: { voice: 1 },
      voiceExclusive: true,
    };
    const chat: TaskView = {
      id: 'c',
      queueId: 'q1',
      channel: 'chat',
      priority: 0,
      slaDeadline: null,
      createdAt: 0,
      language: 'pl',
      skills: {},
      skippedAgents: new Set(),
      autoAccept: true,
    };
    expect(eligible(agent, chat)).toBe(false);
    const free = { ...agent, load: {} };
    expect(eligible(free, chat)).toBe(true);
    expect(eligible(free, { ...chat, language: 'de' })).toBe(false);
    expect(eligible(free, { ...chat, skills: { returns: 3 } })).toBe(false);
    expect(eligible(free, { ...chat, skills: { returns: 2 } })).toBe(true);
    expect(eligible(free, { ...chat, skippedAgents: new Set(['a']) })).toBe(false);
    expect(eligible({ ...free, voiceExclusive: false, load: { voice: 1 } }, chat)).toBe(true);
  });
});
