// net.local_network_denied: an `unreachable` route for the simulator's /24 in the kernel's local table
// makes every connect to a guest fail with EHOSTUNREACH, as a lost macOS Local Network grant does.
// Loopback-only and scoped to this simulator's addresses; needs CAP_NET_ADMIN (root in our CI).
import { execFileSync } from 'node:child_process';

const args = (verb: 'add' | 'del', base: string): string[] => ['route', verb, 'unreachable', `${base}.0/24`, 'table', 'local'];

export function denyLocalNetwork(base: string): void {
  try {
    execFileSync('ip', args('add', base), { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const msg = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e);
    if (msg.includes('File exists')) return;
    throw new Error(`net.local_network_denied is not injectable on this machine (needs CAP_NET_ADMIN and iproute2): ${msg}`);
  }
}

export function allowLocalNetwork(base: string): void {
  try {
    execFileSync('ip', args('del', base), { stdio: 'ignore' });
  } catch {
    /* not set */
  }
}
