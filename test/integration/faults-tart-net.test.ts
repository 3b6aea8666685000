// Network, IP and SSH faults (field-failures.md #10, #13-#16, #18-#20): Ekiden's real core against the
// simulated host. Each test checks the spec's "Test:" line, that every enqueued job completes exactly
// once once the fault is gone, and that nothing is left behind.
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { newHostKeyPair } from '../sim/guest/host-key';
import { installFakeRunner } from '../sim/runner/install';
import type { Harness } from './support/harness';
import { HOST_RETRY_SECONDS, SIM_SPEED, expectJobsDoneOnce, faultTest, hostErrorEpisodes, shutdownClean, skippableClock, tartCalls } from './support/tart-faults';

const test = faultTest();

/** Runner registrations the fake GitHub ever saw, by name (deleted ones included). */
async function runnerNames(harness: Harness): Promise<string[]> {
  return (await harness.sim.github.runners()).map((r) => r.name);
}

describe('network, IP and SSH faults', () => {
  test('#10/#15 tart.boot_hang and ssh.hang time out at the configured bound with a typed reason, and a recreated VM recovers', async (open) => {
    const bound = 2;
    const h = await open({ slots: 1, timeScale: SIM_SPEED, start: false, configure: (c) => void (c.timeouts = { ...c.timeouts, ip: bound, connect: bound }) });
    const table = [
      ['tart.boot_hang', 'ip', 'ip_timeout'],
      ['ssh.hang', 'connect', 'ssh_timeout'],
    ] as const;
    // One hang per VM: each failure clears its fault and arms the next for the recreated VM.
    let next = 0;
    h.sim.tart.setFault(table[0][0]);
    h.host.bus.on('failure', () => {
      h.sim.tart.clearFaults(table[next][0]);
      if (++next < table.length) h.sim.tart.setFault(table[next][0]);
    });
    const ids = await h.sim.enqueue(1, { durationMs: 400 });
    await h.host.start();

    const failures = await h.waitForCount('failure', 2, undefined, 30_000);
    table.forEach(([fault, phase, reason], i) => {
      expect(failures[i], fault).toMatchObject({ slot: 0, reason, phase, hostWide: false });
      const timed = h.of('phase.completed', (e) => e.vm === failures[i].vm && e.phase === phase)[0];
      expect(timed.seconds).toBeGreaterThanOrEqual(bound - 0.05);
      expect(timed.seconds).toBeLessThan(bound + 1.5);
    });
    // Each hung VM is destroyed and a new one takes the job.
    const done = await h.waitFor('job.completed', undefined, 30_000);
    expect(failures.map((f) => f.vm)).not.toContain(done.vm);
    for (const f of failures) expect(tartCalls(h, 'delete', f.vm).length).toBeGreaterThanOrEqual(1);
    await expectJobsDoneOnce(h, ids);
    await shutdownClean(h);
  });

  test('#15 net.lease_exhaustion: one host error carrying the DHCP fix, not a per-slot retry storm; clearing the leases resumes', async (open) => {
    const h = await open({
      slots: 2, timeScale: SIM_SPEED, start: false, hostRetrySeconds: HOST_RETRY_SECONDS,
      configure: (c) => void (c.timeouts = { ...c.timeouts, ip: 6 }),
    });
    h.sim.tart.setFault('net.lease_exhaustion');
    const ids = await h.sim.enqueue(2, { durationMs: 400 });
    await h.host.start();

    const raised = await h.waitFor('host.state', (e) => e.hostError?.reason === 'ip_timeout', 60_000);
    expect(raised.hostError!.message).toMatch(/No IP address within 6s\. The DHCP address pool is full: 253 active and \d+ expired DHCP leases/);
    expect(raised.hostError!.message).toMatch(/Fix: sudo rm \S+dhcpd_leases .*DHCPLeaseTimeSecs -int 600/);
    // Both slots boot into the full pool; each that times out before the host gate closes names the
    // host, neither blames its guest (on a loaded machine the second may still be cloning then).
    await h.waitForCount('failure', 1, (e) => e.reason === 'ip_timeout', 60_000);
    for (const f of h.of('failure', (e) => e.reason === 'ip_timeout')) expect(f).toMatchObject({ hostWide: true, phase: 'ip' });
    // Both slots wait at the host gate before the fix: a boot still under way would otherwise time
    // out after the pool emptied, and that timeout is rightly the slot's own.
    const atGate = () => h.host.snapshot().slots.every((s) => s.state === 'idle');
    for (const deadline = Date.now() + 60_000; !atGate(); ) {
      if (Date.now() > deadline) throw new Error(`slots never reached the host gate: ${JSON.stringify(h.host.snapshot().slots)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // What the operator does: remove the lease file (the simulator's `sudo rm /var/db/dhcpd_leases`).
    h.sim.tart.clearFaults('net.lease_exhaustion');
    await h.waitFor('host.state', (e) => e.at > raised.at && !e.hostError, 60_000);
    await h.waitForCount('job.completed', 2, undefined, 60_000);
    expect(hostErrorEpisodes(h, 'ip_timeout')).toBe(1);
    // Host-wide: no slot went into backoff or opened its breaker over it.
    expect(h.of('slot.state', (e) => e.state === 'backoff' && e.reason === 'ip_timeout')).toEqual([]);
    await expectJobsDoneOnce(h, ids);
    await shutdownClean(h);
  });

  test('#13 net.local_network_denied: one host error naming Local Network, no per-slot retry storm; clearing it resumes', async (open) => {
    const hostRetrySeconds = HOST_RETRY_SECONDS;
    const h = await open({ slots: 2, timeScale: SIM_SPEED, start: false, hostRetrySeconds });
    h.sim.tart.setFault('net.local_network_denied');
    const ids = await h.sim.enqueue(2, { durationMs: 400 });
    await h.host.start();

    const raised = await h.waitFor('host.state', (e) => e.hostError?.reason === 'local_network_denied', 30_000);
    expect(raised.hostError!.message).toMatch(/Local Network/);
    // Let one re-check find the fault still there, then fix it.
    const recheck = h.of('log').length;
    await h.waitFor('log', (e) => h.events.indexOf(e) > recheck && /re-checking the host-wide problem/.test(e.entry.text), 10_000);
    await h.waitForCount('failure', 3, (e) => e.reason === 'local_network_denied', 10_000);
    h.sim.tart.clearFaults('net.local_network_denied');
    const denied = h.of('failure', (e) => e.reason === 'local_network_denied').length;
    // The first failure of each slot, then one probe per re-check.
    expect(denied).toBeLessThanOrEqual(4);

    await h.waitFor('host.state', (e) => e.at > raised.at && !e.hostError, 30_000);
    await h.waitForCount('job.completed', 2, undefined, 30_000);
    expect(hostErrorEpisodes(h, 'local_network_denied')).toBe(1);
    expect(h.logText().match(/host-wide problem, all slots wait: local_network_denied/g)).toHaveLength(1);
    await expectJobsDoneOnce(h, ids);
    await shutdownClean(h);
  });

  test('#14 net.duplicate_ip: slot 1 reaches slot 0\'s guest, the identity check fails, slot 1 recycles, no runner on the wrong guest', async (open) => {
    const h = await open({ slots: 2, timeScale: SIM_SPEED, start: false, configure: (c) => void (c.timeouts = { ...c.timeouts, connect: 3 }) });
    // Slot 1 starts a moment later (one failed clone), so slot 0 holds a lease when slot 1's guest asks DHCP.
    h.sim.tart.setFault('tart.clone_fail', {}, { times: 1, scope: { vm: `ekiden-${h.sim.hostId}-1-*` } });
    h.sim.tart.setFault('net.duplicate_ip', {}, { times: 1, scope: { vm: `ekiden-${h.sim.hostId}-1-*` } });
    await h.host.start();

    const mismatch = await h.waitFor('failure', (e) => e.slot === 1 && e.phase === 'connect', 30_000);
    expect(mismatch.reason).toBe('ip_identity_mismatch');
    expect(h.logText()).toMatch(/guest identity mismatch: \S+ answered with MAC/);
    expect(await runnerNames(h)).not.toContain(mismatch.vm);
    expect(h.of('slot.state', (e) => e.vm === mismatch.vm && e.state === 'registering')).toEqual([]);

    const ids = await h.sim.enqueue(2, { durationMs: 400 });
    await h.waitForCount('job.completed', 2, undefined, 30_000);
    await expectJobsDoneOnce(h, ids);
    // Slot 0's guest ran exactly one runner: its own.
    const slot0Vm = h.of('slot.state', (e) => e.slot === 0 && e.state === 'listening')[0].vm!;
    expect((await runnerNames(h)).filter((n) => n.startsWith(slot0Vm))).toEqual([slot0Vm]);
    await shutdownClean(h);
  });

  test('#16 net.stale_lease: tart ip names a dead VM\'s address; no runner starts there, every clone gets --random-mac', async (open) => {
    // Guests lease late, so Ekiden asks `tart ip` before the new VM has a lease of its own.
    const h = await open({
      slots: 1, timeScale: SIM_SPEED, tart: { bootDelayMs: 10_000, sshDelayMs: 10_400, agentDelayMs: 10_800 },
      configure: (c) => void (c.timeouts = { ...c.timeouts, connect: 3 }),
    });
    const first = await h.sim.enqueue(1, { durationMs: 400 });
    // Once the first VM holds a lease, the next VM's first `tart ip` answers with that (soon dead) address.
    await h.waitFor('slot.state', (e) => e.state === 'listening', 30_000);
    h.sim.tart.setFault('net.stale_lease', {}, { times: 1 });
    await h.waitFor('job.completed', undefined, 30_000);
    const stale = await h.waitFor('failure', (e) => e.phase === 'connect', 30_000);
    expect(h.sim.tart.faults()['net.stale_lease'].fired).toBe(1);
    expect(['ssh_refused', 'ssh_timeout', 'ip_identity_mismatch']).toContain(stale.reason);
    expect(await runnerNames(h)).not.toContain(stale.vm);

    const second = await h.sim.enqueue(1, { durationMs: 400 });
    await h.waitForCount('job.completed', 2, undefined, 30_000);
    await expectJobsDoneOnce(h, [...first, ...second]);
    await shutdownClean(h);
  });

  test('#18 ssh.drop mid-job: the runner keeps going, Ekiden re-attaches, the job counts once and the VM is torn down once', async (open) => {
    const h = await open({ slots: 1, timeScale: SIM_SPEED, start: false });
    h.sim.tart.setFault('ssh.drop', { afterS: 15 }, { times: 1 });
    const ids = await h.sim.enqueue(1, { durationMs: 30_000 });
    await h.host.start();

    const started = await h.waitFor('job.started', undefined, 30_000);
    const done = await h.waitFor('job.completed', undefined, 30_000);
    await h.waitFor('cycle.completed', (e) => e.vm === done.vm, 10_000);
    const reattach = h.host.logs.tail().filter((e) => /guest connection dropped; re-attaching/.test(e.text));
    expect(reattach).toHaveLength(1);
    expect(reattach[0].ts).toBeGreaterThan(started.at);
    expect(reattach[0].ts).toBeLessThan(done.at);
    expect(done).toMatchObject({ vm: started.vm, runnerResult: 'Succeeded' });
    expect(h.of('failure')).toEqual([]);
    expect(h.of('cycle.completed', (e) => e.vm === done.vm).map((e) => e.outcome)).toEqual(['job_completed']);
    expect(tartCalls(h, 'stop', done.vm)).toHaveLength(1);
    expect(tartCalls(h, 'delete', done.vm)).toHaveLength(1);
    await expectJobsDoneOnce(h, ids);
    await shutdownClean(h);
  });

  test('#19 ssh.host_key_change across two image digests on one IP connects fine and leaves ~/.ssh/known_hosts alone', async (open) => {
    const clock = skippableClock();
    const h = await open({ slots: 1, timeScale: SIM_SPEED, start: false, clock, configure: (c) => void (c.reconcileIntervalSeconds = 1) });
    h.sim.tart.setFault('ssh.host_key_change');
    // The operator's own known_hosts already pins some other key for the guest address.
    const sshDir = path.join(h.sim.tart.hostHome, '.ssh');
    fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    const otherKey = ssh2.utils.parseKey(newHostKeyPair().public) as ssh2.ParsedKey;
    const knownHosts = path.join(sshDir, 'known_hosts');
    const mine = `[${h.sim.tart.ipBase}.2]:${h.sim.tart.guestPort} ssh-ed25519 ${otherKey.getPublicSSH().toString('base64')}\n`;
    fs.writeFileSync(knownHosts, mine, { mode: 0o600 });
    const before = fs.statSync(knownHosts);

    // Record each guest's address while it listens; forget the leases between VMs so the address repeats.
    const ips = new Map<string, string | undefined>();
    h.host.bus.subscribe((e) => {
      if (e.type === 'slot.state' && e.state === 'listening' && e.vm) ips.set(e.vm, h.sim.tart.guestIp(e.vm));
      if (e.type === 'cycle.completed') h.sim.tart.resetLeases();
    });
    const ids = [...(await h.sim.enqueue(1, { durationMs: 30_000 })), ...(await h.sim.enqueue(1, { durationMs: 400 }))];
    await h.host.start();

    // While the first job runs a new digest is published and the scheduled check (fake time) finds it.
    const first = await h.waitFor('job.started', undefined, 30_000);
    const oldDigest = h.host.snapshot().imageDigest;
    const newDigest = await h.sim.tart.publishImage(h.sim.imageRef, { populateHome: (home) => installFakeRunner(home) });
    clock.skip(16 * 60_000);
    await h.waitFor('image.current', (e) => e.digest === newDigest, 15_000);
    const done = await h.waitForCount('job.completed', 2, undefined, 60_000);

    expect(done.map((e) => e.imageDigest)).toEqual([oldDigest, newDigest]);
    expect(done[0].vm).toBe(first.vm);
    expect(ips.get(done[0].vm)).toBeDefined();
    expect(ips.get(done[1].vm)).toBe(ips.get(done[0].vm));
    expect(h.sim.tart.faults()['ssh.host_key_change'].fired).toBeGreaterThanOrEqual(2);
    expect(h.of('failure')).toEqual([]);
    expect(fs.readFileSync(knownHosts, 'utf8')).toBe(mine);
    expect(fs.statSync(knownHosts).mtimeMs).toBe(before.mtimeMs);
    expect(fs.readdirSync(sshDir)).toEqual(['known_hosts']);
    await expectJobsDoneOnce(h, ids);
    await shutdownClean(h);
  });

  test('#20 net.guest_offline: the runner prints its connect error, the register bound recycles the VM with reason guest_network', async (open) => {
    const bound = 3;
    const h = await open({ slots: 1, timeScale: SIM_SPEED, start: false, configure: (c) => void (c.timeouts = { ...c.timeouts, register: bound }) });
    h.sim.tart.setFault('net.guest_offline', {}, { times: 1 });
    const ids = await h.sim.enqueue(1, { durationMs: 400 });
    await h.host.start();

    const failure = await h.waitFor('failure', undefined, 30_000);
    expect(failure).toMatchObject({ slot: 0, phase: 'register', reason: 'guest_network' });
    const register = h.of('phase.completed', (e) => e.vm === failure.vm && e.phase === 'register')[0];
    expect(register.outcome).toBe('timeout');
    expect(register.seconds).toBeGreaterThanOrEqual(bound - 0.05);
    expect(register.seconds).toBeLessThan(bound + 1.5);
    const connectErrors = h.host.logs.tail().filter((e) => e.vm === failure.vm && /Runner connect error: .*Retrying until reconnected\./.test(e.text));
    expect(connectErrors).toHaveLength(1);

    const done = await h.waitFor('job.completed', undefined, 30_000);
    expect(done.vm).not.toBe(failure.vm);
    await expectJobsDoneOnce(h, ids);
    await shutdownClean(h);
  });
});
