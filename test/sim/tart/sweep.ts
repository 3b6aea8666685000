// Finding processes by an environment marker in /proc/*/environ. Guest processes carry their VM's
// marker even after nohup/setsid, so "the guest dies with its VM" holds for detached ones too.
import fs from 'node:fs';

export function processEnv(pid: number): Map<string, string> | undefined {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(`/proc/${pid}/environ`);
  } catch {
    return undefined;
  }
  const env = new Map<string, string>();
  for (const entry of raw.toString('utf8').split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) env.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return env;
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Live (non-zombie) pids whose environment has key=value, never this process. */
export function findMarked(key: string, value: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (processEnv(pid)?.get(key) === value && !isZombie(pid)) out.push(pid);
  }
  return out;
}

export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** SIGKILLs every marked process, repeating until none is left (catches forks in flight). */
export async function killMarked(key: string, value: string, maxRounds = 50): Promise<void> {
  for (let round = 0; round < maxRounds; round++) {
    const pids = findMarked(key, value);
    if (pids.length === 0) return;
    signalAll(pids, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 20));
  }
}
