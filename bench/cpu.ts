import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const HZ = 100;

function stat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // utime + stime, and cutime + cstime: children it has reaped (a PostgreSQL backend that
    // exited is counted in the postmaster's), so the tree's total never goes back.
    return {
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
    };
  } catch {
    return undefined; // exited
  }
}

/**
 * CPU time (user + system, ms) used so far by `root` and its descendants, live or reaped — a hub
 * process, or PostgreSQL's postmaster with its backends. Linux only; 0 where /proc is missing.
 */
export function treeCpuMs(root: number): number {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return 0;
  }
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const s = stat(pid);
    if (!s) continue;
    ticks.set(pid, s.ticks);
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  let total = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    total += ticks.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return (total * 1000) / HZ;
}
