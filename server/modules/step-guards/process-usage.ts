import { readFile } from "node:fs/promises";

export interface ProcessUsage {
  /** User + system CPU time. */
  cpuMs: number;
  rssBytes: number;
}

// Linux's USER_HZ and page size on the x86-64 and arm64 builds Node ships for.
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** CPU time and resident memory of a process from /proc; undefined where there is no /proc (or it has exited). */
export async function processUsage(pid: number): Promise<ProcessUsage | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: count fields from the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  if (!Number.isFinite(utime + stime + rssPages)) return undefined;
  return { cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND, rssBytes: rssPages * PAGE_BYTES };
}

/** `--permission` from Node 22.13 / 23.5 on; before that the same model is `--experimental-permission`. */
export function permissionFlag(version = process.versions.node): string {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const stable = major >= 24 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13);
  return stable ? "--permission" : "--experimental-permission";
}
