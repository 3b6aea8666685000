// The simulated host in a process of its own (started by sim-process.ts through fork): the fake
// GitHub's HTTP server and the tart simulator's bookkeeping then burn their CPU here, not in the
// benchmark process where Ekiden runs and is measured. Commands arrive as IPC messages.
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { Client } from 'ssh2';
import type { EkidenConfigInput } from '../../src-main/core/config/schema';
import { buildSim } from '../../test/sim/build';
import { startSimHost, type SimHost } from '../../test/sim/host';
import type { Calibration, SimRequest, SimServerOptions, SimReady } from './sim-process';

const run = promisify(execFile);

/** Top-level keys merge one level deep; `null` removes a key so the product default applies. */
function patchConfig(config: EkidenConfigInput, patch: Record<string, unknown>): void {
  const target = config as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (typeof value === 'object' && !Array.isArray(value) && typeof target[key] === 'object') target[key] = { ...(target[key] as object), ...value };
    else target[key] = value;
  }
}

async function waitForPort(host: string, port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port }, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${host}:${port} never accepted a connection`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One SSH login to the guest and one command, as any orchestrator needs to reach the runner. */
function sshLogin(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('error', reject);
    client.once('ready', () =>
      client.exec('true', (err, stream) => {
        if (err) return reject(err);
        stream.on('close', () => (client.end(), resolve())).resume();
        stream.stderr.resume();
      }),
    );
    client.connect({ host, port, username: 'admin', password: 'admin', readyTimeout: 20_000 });
  });
}

/**
 * What the simulator alone needs for the VM part of a cycle, timed without Ekiden: `tart clone` +
 * `tart set --random-mac` (the fake tart's process starts), `tart run` until the guest's SSH port
 * accepts (the boot timeline plus the guest process start), one SSH login with one command, and
 * `tart stop` + `tart delete`.
 */
async function calibrate(sim: SimHost, rounds: number): Promise<Calibration> {
  const env = { ...process.env, ...sim.tart.env };
  const tart = sim.tart.tartPath;
  const cloneMs: number[] = [];
  const bootMs: number[] = [];
  const loginMs: number[] = [];
  const removeMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const vm = `calibrate-${i}`;
    const t0 = performance.now();
    await run(tart, ['clone', sim.imageRef, vm], { env });
    await run(tart, ['set', vm, '--random-mac'], { env });
    const t1 = performance.now();
    const child = spawn(tart, ['run', vm, '--no-graphics'], { env, stdio: 'ignore' });
    try {
      const deadline = Date.now() + 30_000;
      let ip: string | undefined;
      while (!(ip = sim.tart.guestIp(vm))) {
        if (Date.now() > deadline) throw new Error(`${vm} never got an address`);
        await new Promise((r) => setTimeout(r, 5));
      }
      await waitForPort(ip, sim.tart.guestPort, deadline);
      const t2 = performance.now();
      await sshLogin(ip, sim.tart.guestPort);
      loginMs.push(performance.now() - t2);
      bootMs.push(t2 - t1);
      cloneMs.push(t1 - t0);
    } finally {
      const t3 = performance.now();
      await run(tart, ['stop', vm, '--timeout', '2'], { env }).catch(() => {});
      child.kill('SIGKILL');
      await run(tart, ['delete', vm], { env }).catch(() => {});
      removeMs.push(performance.now() - t3);
    }
  }
  return { cloneMs, bootMs, loginMs, removeMs };
}

async function main(opts: SimServerOptions): Promise<void> {
  await buildSim();
  const sim = await startSimHost({
    slots: opts.slots,
    timeScale: opts.timeScale,
    tart: opts.timeline,
    configure: (config) => patchConfig(config, opts.config ?? {}),
  });
  const ready: SimReady = {
    type: 'ready', configPath: sim.configPath, stateDir: sim.stateDir, home: String(sim.env.HOME), hostId: sim.hostId,
    imageRef: sim.imageRef, tartPath: sim.tart.tartPath, tartHome: sim.tart.tartHome, githubUrl: sim.github.url,
  };
  const stop = async () => {
    await sim.stop().catch(() => {});
  };
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
  process.on('message', (msg: SimRequest) => {
    const answer = async (): Promise<unknown> => {
      switch (msg.op) {
        case 'enqueue':
          return sim.enqueue(msg.count, { durationMs: msg.durationMs, result: 'Succeeded' });
        case 'leftovers':
          return sim.leftovers();
        case 'unfinished':
          return (await sim.github.jobs()).filter((j) => j.status !== 'completed').length;
        case 'processes':
          return sim.tart.processes();
        case 'tartCalls': {
          const counts: Record<string, number> = {};
          for (const inv of sim.tart.invocations()) counts[inv.argv[0] ?? '?'] = (counts[inv.argv[0] ?? '?'] ?? 0) + 1;
          return counts;
        }
        case 'calibrate':
          return calibrate(sim, msg.rounds);
        case 'stop':
          await stop();
          return null;
      }
    };
    answer().then(
      (value) => process.send!({ type: 'reply', id: msg.id, value }),
      (error: Error) => process.send!({ type: 'reply', id: msg.id, error: error.stack ?? String(error) }),
    );
  });
  process.send!(ready);
}

process.once('message', (opts: SimServerOptions) => {
  main(opts).catch((error: Error) => {
    process.send?.({ type: 'failed', error: error.stack ?? String(error) });
    process.exit(1);
  });
});
