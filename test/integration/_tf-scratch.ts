import { startHarness } from './support/harness';
const t0 = Date.now();
const h = await startHarness({ slots: 1, timeScale: Number(process.env.TS ?? 1) });
console.log('started', Date.now() - t0);
h.host.bus.subscribe((e) => {
  if (e.type === 'phase.completed' || e.type === 'slot.state' || e.type === 'job.completed' || e.type === 'failure') console.log(Date.now() - t0, JSON.stringify(e).slice(0, 200));
});
await h.sim.enqueue(1, { durationMs: 300 });
await h.waitFor('job.completed', undefined, 60_000);
await h.waitFor('cycle.completed', undefined, 60_000);
console.log('done', Date.now() - t0);
const l = await h.shutdown('drain');
console.log('shutdown', Date.now() - t0, l);
await h.dispose();
console.log('disposed', Date.now() - t0);
