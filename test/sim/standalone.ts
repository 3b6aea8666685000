// `npm run sim`: a standing simulated host for driving by hand. It prints the environment that
// puts the fake `tart` on PATH, the Ekiden config that points at it, and how to enqueue jobs.
import path from 'node:path';
import readline from 'node:readline';
import { buildSim } from './build';
import { startSimHost } from './host';

await buildSim();
const sim = await startSimHost({ slots: 2 });
const binDir = path.dirname(sim.tart.tartPath);
const control = sim.github.url;

console.log(`Simulated host is up (Ctrl-C stops it and removes everything it created).

Fake tart, its TART_HOME and the image:
  export PATH="${binDir}:$PATH" TART_HOME="${sim.tart.tartHome}"
  tart list                       # the image ${sim.imageRef} is in the simulated registry
  tart pull ${sim.imageRef}

Fake GitHub: ${sim.github.apiUrl}  (org ${sim.repo.split('/')[0]}, repo ${sim.repo}, an App installed on the org)

Run Ekiden against it (in another terminal):
  HOME="${sim.env.HOME}" bin/ekiden run --config "${sim.configPath}"
  HOME="${sim.env.HOME}" bin/ekiden status --config "${sim.configPath}"
  HOME="${sim.env.HOME}" bin/ekiden doctor --config "${sim.configPath}"

Enqueue a job (3 s long) and watch it run:
  curl -s -X POST ${control}/_fake/jobs -H 'content-type: application/json' \\
    -d '{"repo":"${sim.repo}","name":"build","labels":["self-hosted","macOS"],"durationMs":3000,"result":"Succeeded"}'
  curl -s ${control}/_fake/jobs        # job states
  curl -s ${control}/_fake/runners     # runner registrations

Inject a GitHub or runner fault (names in test/sim/README.md):
  curl -s -X POST ${control}/_fake/faults -H 'content-type: application/json' -d '{"name":"runner.crash","params":{"afterS":1},"times":1}'
  curl -s -X DELETE ${control}/_fake/faults

Inject a tart, network or SSH fault: type into this terminal
  fault tart.clone_fail {} 1      (name, JSON params, optional times)
  faults                          (what is set)
  clear                           (all tart-side faults)
`);

// Tart-side faults live in TART_HOME/.sim; this terminal sets them for a person driving by hand.
const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  const [cmd, name, params, times] = line.trim().split(/\s+/);
  try {
    if (cmd === 'fault' && name) {
      sim.tart.setFault(name, params ? JSON.parse(params) : {}, times ? { times: Number(times) } : {});
      console.log(`set ${name}`);
    } else if (cmd === 'clear') {
      sim.tart.clearFaults(name);
      console.log('cleared');
    } else if (cmd === 'faults') {
      console.log(JSON.stringify(sim.tart.faults(), null, 2));
    } else if (cmd) {
      console.log('commands: fault <name> [json-params] [times] | faults | clear [name]');
    }
  } catch (error) {
    console.log(`error: ${(error as Error).message}`);
  }
});

await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
input.close();
console.log('\nStopping the simulated host...');
await sim.stop();
process.exit(0);
