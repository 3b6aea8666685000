// A whole simulated host: the fake tart (with guests and a registry holding a runner image), the
// fake GitHub (an org, a repo, an App installed on it) and an Ekiden configuration pointing at
// both, written to disk as an operator would write it (secrets in 0600 files).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EkidenConfigInput } from '../../src-main/core/config/schema';
import { startFakeGitHub, type FakeGitHub } from './github';
import { installFakeRunner } from './runner/install';
import { createTartSim, type TartSim, type TartSimOptions } from './tart';

export interface SimHostOptions {
  slots?: 1 | 2;
  /** Multiplies the simulator's delays (boot, pull, job durations through the runner). */
  timeScale?: number;
  tart?: TartSimOptions;
  runnerVersion?: string;
  hostId?: string;
  /** The fake GitHub's mode: `ghes` serves REST only under /api/v3, and github.url is the fake's root. */
  githubMode?: 'dotcom' | 'ghes';
  /** Login of the seeded org (and of the App installation's account). Default SIM_ORG. */
  org?: string;
  /** Seeds the fake tart's and the fake GitHub's fault draws (and MACs, webhooks). */
  seed?: number;
  /** Adjusts the generated configuration before it is written. */
  configure?: (config: EkidenConfigInput) => void;
}

export interface SimHost {
  root: string;
  tart: TartSim;
  github: FakeGitHub;
  repo: string;
  imageRef: string;
  hostId: string;
  configPath: string;
  stateDir: string;
  config: EkidenConfigInput;
  /** Env for Ekiden: the App key and guest password are read from files; HOME is the sim's. */
  env: NodeJS.ProcessEnv;
  /** Secret values the simulated world handed out, for log scans. */
  secrets: string[];
  enqueue(count: number, opts?: { name?: (i: number) => string; durationMs?: number; result?: string; labels?: string[] }): Promise<number[]>;
  /** Ekiden's leftovers: VMs named ekiden-<host>-* and runner registrations of this host. */
  leftovers(): Promise<{ vms: string[]; runners: string[] }>;
  stop(): Promise<void>;
}

export const SIM_ORG = 'octo-org';
export const SIM_REPO = 'widgets';

export async function startSimHost(opts: SimHostOptions = {}): Promise<SimHost> {
  const timeScale = opts.timeScale ?? 1;
  const root = await import('node:fs/promises').then((fs) => fs.mkdtemp(path.join(os.tmpdir(), 'ekiden-sim-host-')));
  const github = await startFakeGitHub({ timeScale, mode: opts.githubMode, seed: opts.seed });
  const org = opts.org ?? SIM_ORG;
  let tart: TartSim | undefined;
  try {
    tart = await createTartSim({ timeScale, ...(opts.seed === undefined ? {} : { seed: opts.seed }), ...opts.tart });
    const hostId = opts.hostId ?? 'sim-mini';
    const imageRef = '127.0.0.1:5000/ekiden/macos-runner:latest';
    await tart.publishImage(imageRef, { populateHome: (home) => installFakeRunner(home, { version: opts.runnerVersion }) });

    await github.seedOrg({ login: org });
    await github.seedRepo({ owner: org, name: SIM_REPO });
    const app = await github.seedApp({ ownerLogin: org });
    await github.seedInstallation({ appId: app.appId, account: org });

    const secretsDir = path.join(root, 'secrets');
    await mkdir(secretsDir, { recursive: true, mode: 0o700 });
    const keyFile = path.join(secretsDir, 'github-app.pem');
    const guestPasswordFile = path.join(secretsDir, 'guest-password');
    await writeFile(keyFile, app.privateKeyPem, { mode: 0o600 });
    await writeFile(guestPasswordFile, 'admin', { mode: 0o600 });

    const config: EkidenConfigInput = {
      hostId,
      github: {
        // On GHES, config.sh derives <url>/api/v3/actions/runner-registration: it must reach the fake.
        url: opts.githubMode === 'ghes' ? github.url : 'https://github.com',
        apiUrl: github.apiUrl,
        scope: { kind: 'org', org },
        auth: { kind: 'app', appId: app.appId, privateKey: { file: keyFile } },
      },
      runner: { labels: ['ekiden-sim'] },
      image: { ref: imageRef, pullPolicy: 'always-check', checkIntervalMinutes: 15 },
      vm: { slots: opts.slots ?? 2 },
      guest: { user: 'admin', password: { file: guestPasswordFile }, port: tart.guestPort },
      timeouts: { boot: 60, ip: 60, connect: 60, register: 120, idle: 600, job: 600, finishing: 60, stop: 10, delete: 30 },
      backoff: { initialSeconds: 1, maxSeconds: 10, jitter: 0.2 },
      tart: { path: tart.tartPath, home: tart.tartHome },
      reconcileIntervalSeconds: 5,
      sweepIntervalMinutes: 1,
    };
    opts.configure?.(config);
    const configDir = path.join(root, 'ekiden');
    await mkdir(configDir, { recursive: true, mode: 0o700 });
    const configPath = path.join(configDir, 'config.json');
    await writeFile(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
    const sim = tart;
    let jobNo = 0;

    return {
      root, tart: sim, github, repo: `${org}/${SIM_REPO}`, imageRef, hostId, configPath, config,
      stateDir: path.join(configDir, 'state'),
      // The simulated bootpd's lease file stands in for /var/db/dhcpd_leases (doctor, IP-timeout check).
      env: { ...process.env, HOME: sim.hostHome, EKIDEN_CONFIG: configPath, EKIDEN_DHCP_LEASES_FILE: path.join(sim.tartHome, '.sim', 'dhcpd_leases') },
      secrets: [app.privateKeyPem],
      async enqueue(count, o = {}) {
        const ids: number[] = [];
        for (let i = 0; i < count; i++) {
          jobNo++;
          const { id } = await github.enqueueJob({
            repo: `${org}/${SIM_REPO}`,
            name: o.name?.(jobNo) ?? `build (macos-15, #${jobNo})`,
            labels: o.labels ?? ['self-hosted', 'macOS', 'ekiden-sim'],
            durationMs: o.durationMs ?? 2000,
            result: (o.result ?? 'Succeeded') as never,
          });
          ids.push(id);
        }
        return ids;
      },
      async leftovers() {
        const listed = await sim.runTart(['list', '--source', 'local', '--format', 'json'], { env: { TART_NO_AUTO_PRUNE: '1' } });
        const vms = (JSON.parse(listed.stdout || '[]') as { Name: string }[]).map((v) => v.Name).filter((n) => n.startsWith(`ekiden-${hostId}-`));
        const runners = (await github.runners())
          .filter((r) => r.name.startsWith(`ekiden-${hostId}-`) && r.registration !== 'deleted')
          .map((r) => `${r.name} (${r.status}${r.busy ? ', busy' : ''}, ${r.registration})`);
        return { vms, runners };
      },
      async stop() {
        await sim.cleanup();
        await github.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await tart?.cleanup();
    await github.close();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
