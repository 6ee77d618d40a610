import { readFileSync, readdirSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system, ms) a process has used so far; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** Pids of the PostgreSQL backends serving `database` on this machine (their process title names it). */
export function backendPids(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (title.startsWith("postgres: ") && title.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU used by a set of processes between `start()` and `stop()`: unlike wall time, it does not depend on what else
 * the machine is doing, so it says where a request's cost goes even on a busy machine.
 */
export function cpuMeter(pids: () => number[]) {
  let before = new Map<number, number>();
  return {
    start() {
      before = new Map(pids().map((pid) => [pid, processCpuMs(pid)]));
    },
    stop(): number {
      let total = 0;
      for (const pid of new Set([...before.keys(), ...pids()])) total += processCpuMs(pid) - (before.get(pid) ?? 0);
      return total;
    },
  };
}
