import { startHarness } from './support/harness';
const t0 = Date.now();
const h = await startHarness({ slots: 2, timeScale: 0.25, start: false, hostRetrySeconds: 2 });
h.sim.tart.setFault(process.env.F ?? 'tart.disk_full');
h.host.bus.subscribe((e) => {
  if (e.type === 'log') { if (e.entry.level !== 'debug') console.log(Date.now() - t0, 'LOG', e.entry.slot, e.entry.level, e.entry.text.slice(0, 160)); return; }
  if (e.type === 'vm.inventory' || e.type === 'github.call') return;
  console.log(Date.now() - t0, JSON.stringify(e).slice(0, 200));
});
await h.sim.enqueue(2, { durationMs: 400 });
await h.host.start();
await h.waitFor('host.state', (e) => !!e.hostError, 30_000);
await new Promise((r) => setTimeout(r, 3000));
console.log(Date.now() - t0, 'CLEAR');
h.sim.tart.clearFaults(process.env.F ?? 'tart.disk_full');
await h.waitForCount('job.completed', 2, undefined, 30_000).catch((e) => console.log('ERR', e.message.slice(0, 300)));
console.log(Date.now() - t0, 'DONE');
await h.dispose();
