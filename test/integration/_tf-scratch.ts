import fs from 'node:fs';
import path from 'node:path';
import { startHarness } from './support/harness';
async function one(round: number) {
  const h = await startHarness({ slots: 1, timeScale: 0.1, tart: { bootDelayMs: 10_000, sshDelayMs: 10_400, agentDelayMs: 10_800 }, configure: (c) => void (c.timeouts = { ...c.timeouts, connect: 3 }) });
  h.host.bus.subscribe((e) => {
    if (e.type === 'failure' && e.vm) {
      console.log('FAILURE', e.reason, e.phase);
      try { console.log(fs.readFileSync(path.join(h.sim.tart.vmDir(e.vm), '.sim', 'guest.log'), 'utf8').slice(-3000)); } catch (err) { console.log('no log', (err as Error).message); }
    }
  });
  await h.sim.enqueue(1, { durationMs: 400 });
  await h.waitFor('slot.state', (e) => e.state === 'listening', 30_000);
  h.sim.tart.setFault('net.stale_lease', {}, { times: 1 });
  await h.waitFor('job.completed', undefined, 30_000);
  await h.waitFor('failure', (e) => e.phase === 'connect', 30_000).catch((e) => console.log('ERR', e.message.slice(0, 200)));
  await h.sim.enqueue(1, { durationMs: 400 });
  await h.waitForCount('job.completed', 2, undefined, 30_000).catch((e) => console.log('ERR2', e.message.slice(0, 200)));
  await h.dispose();
  console.log('round', round, 'ok');
}
for (let r = 0; r < 3; r++) await Promise.all([one(r), one(r + 10), one(r + 20)]);
