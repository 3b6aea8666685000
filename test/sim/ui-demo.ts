// `npm run demo -- --ui`: the simulated host run by the app's own host controller, with the
// renderer served by the web bridge on 127.0.0.1. Runs until Ctrl-C, then drains.
import { buildRenderer } from '../../scripts/build-renderer';
import { eventLine } from '../../src-main/cli/event-lines';
import { startWebBridge } from '../../src-main/web-bridge/server';
import { createBridgeServices } from '../../src-main/web-bridge/services';
import type { SimHost } from './host';

export interface UiDemoOptions {
  jobs: number;
  jobSeconds: number;
  port?: number;
  verbose?: boolean;
}

export async function runUiDemo(sim: SimHost, o: UiDemoOptions): Promise<number> {
  // Listen first: a Ctrl-C while the renderer builds or the host starts still drains.
  const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  console.log('Building the renderer...');
  const rendererDir = await buildRenderer();
  const services = createBridgeServices({ configFile: sim.configPath, stateDir: sim.stateDir, env: sim.env, appVersion: 'demo' });
  services.bus.subscribe((event) => {
    if (event.type === 'log') {
      if (o.verbose) console.log(`    ${event.entry.source}${event.entry.slot === undefined ? '' : `[${event.entry.slot}]`} ${event.entry.text}`);
      return;
    }
    const line = eventLine(event);
    if (line) console.log(line);
  });
  const bridge = await startWebBridge({ services, rendererDir, port: o.port });
  try {
    await services.controller.start();
    console.log(`\nEkiden UI: ${bridge.url}  (Ctrl-C drains and exits)\n`);
    const results = ['Succeeded', 'Succeeded', 'Succeeded', 'Failed', 'Succeeded'];
    for (let i = 0; i < o.jobs; i++) {
      await sim.enqueue(1, { durationMs: o.jobSeconds * 1000, result: results[i % results.length] });
    }
    await interrupted;
    console.log('\nDraining (idle runners are deregistered, VMs deleted)...');
  } finally {
    await bridge.close();
    await services.stop('drain');
  }
  const leftovers = await sim.leftovers();
  console.log(`Leftovers: ${leftovers.vms.length} VMs, ${leftovers.runners.length} runners`);
  return leftovers.vms.length || leftovers.runners.length ? 1 : 0;
}
