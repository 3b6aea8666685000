// The fake GitHub server (github.md §9): node:http on 127.0.0.1 with a random port, plus typed
// helpers over its control API (/_fake/...).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { FaultName, FaultParams } from './faults';
import type { EnqueueSpec } from './jobs';
import type { appInput, enterpriseInput, groupInput, installationInput, orgInput, repoInput, tokenInput, userInput } from './seed';
import { Sim, type SimOptions } from './sim';
import type { Installation, Repo, RequestLogEntry, RunnerGroupBody, SimConfig, Token } from './types';
import type { WebhookConfig } from './webhooks';

export type { FaultName, FaultParams } from './faults';
export type { JobResult } from './wire';

export interface SeededApp {
  appId: number;
  id: number;
  clientId: string;
  slug: string;
  /** PKCS#1 PEM; empty for an App seeded with `noKey`. */
  privateKeyPem: string;
  publicKeyPem: string | null;
}

export interface FakeRunnerView {
  id: number;
  name: string;
  scope: string;
  status: 'online' | 'offline';
  busy: boolean;
  ephemeral: boolean;
  labels: string[];
  runnerGroupId: number;
  version: string | null;
  os: string;
  registration: 'active' | 'used' | 'deleted';
  sessionId: string | null;
  jobId: number | null;
  assignedJobId: number | null;
}

export interface FakeJobView {
  id: number;
  run_id: number;
  html_url: string;
  created_at: string;
  started_at: string | null;
  repo: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  labels: string[];
  runner_id: number | null;
  runner_name: string | null;
  durationMs: number;
  result: string;
  cancelRequested: boolean;
  /** Times the job was routed to a runner that never fetched it, and offered again. */
  requeues: number;
}

export type ConfigPatch = Partial<Omit<SimConfig, 'rateLimit'>> & { rateLimit?: Partial<SimConfig['rateLimit']> };

export class FakeGitHub {
  /** Server root (web URL base), e.g. http://127.0.0.1:PORT */
  readonly url: string;

  constructor(
    private readonly sim: Sim,
    private readonly closeServer: () => Promise<void>,
  ) {
    this.url = sim.base;
  }

  /** REST base: `url`, or `url/api/v3` in ghes mode. */
  get apiUrl(): string {
    return this.sim.urls().api;
  }

  get mode(): SimConfig['mode'] {
    return this.sim.cfg.mode;
  }

  close(): Promise<void> {
    return this.closeServer();
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`fake GitHub control ${method} ${path} -> ${res.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  reset = () => this.call<void>('POST', '/_fake/reset');
  setConfig = (patch: ConfigPatch) => this.call<SimConfig>('PUT', '/_fake/config', patch);
  config = () => this.call<SimConfig>('GET', '/_fake/config');
  advanceClock = (seconds: number) => this.call<{ now: string }>('POST', '/_fake/clock', { advanceSeconds: seconds });
  setClockOffset = (seconds: number) => this.call<{ now: string }>('POST', '/_fake/clock', { offsetSeconds: seconds });

  seedEnterprise = (input: z.input<typeof enterpriseInput>) => this.call<{ id: number; slug: string }>('POST', '/_fake/enterprises', input);
  seedOrg = (input: z.input<typeof orgInput>) => this.call<{ id: number; login: string }>('POST', '/_fake/orgs', input);
  seedUser = (input: z.input<typeof userInput>) => this.call<{ id: number; login: string }>('POST', '/_fake/users', input);
  seedRepo = (input: z.input<typeof repoInput>) => this.call<Repo>('POST', '/_fake/repos', input);
  /** Generates an RSA key pair; returns the App's ids and its PKCS#1 private key. */
  seedApp = (input: z.input<typeof appInput> = {}) => this.call<SeededApp>('POST', '/_fake/apps', input);
  seedInstallation = (input: z.input<typeof installationInput>) => this.call<Installation>('POST', '/_fake/installations', input);
  seedToken = (input: z.input<typeof tokenInput>) => this.call<Token>('POST', '/_fake/tokens', input);
  seedRunnerGroup = (input: z.input<typeof groupInput>) => this.call<RunnerGroupBody>('POST', '/_fake/runner-groups', input);

  enqueueJob = (spec: Partial<EnqueueSpec> & Pick<EnqueueSpec, 'repo' | 'name'>) => this.call<{ id: number }>('POST', '/_fake/jobs', spec);
  cancelJob = (id: number) => this.call<FakeJobView>('POST', `/_fake/jobs/${id}/cancel`);
  jobs = () => this.call<FakeJobView[]>('GET', '/_fake/jobs');
  job = (id: number) => this.call<FakeJobView>('GET', `/_fake/jobs/${id}`);
  runners = () => this.call<FakeRunnerView[]>('GET', '/_fake/runners');
  /** Server-side removal (e.g. GitHub's 1-day cleanup): the record disappears entirely. */
  deleteRunnerServerSide = (id: number) => this.call<void>('DELETE', `/_fake/runners/${id}`);

  /** `probability`: chance of firing at each decision point (seeded by the server's seed). */
  setFault = <N extends FaultName>(name: N, params?: FaultParams[N], opts: { times?: number; probability?: number } = {}) =>
    this.call<unknown>('POST', '/_fake/faults', { name, params: params ?? {}, times: opts.times, probability: opts.probability });
  /** The active faults with their evaluated and fired counts. */
  faults = () => this.call<{ name: FaultName; evaluated: number; fired: number; probability?: number; params: unknown }[]>('GET', '/_fake/faults');
  clearFaults = () => this.call<void>('DELETE', '/_fake/faults');

  requests = () => this.call<RequestLogEntry[]>('GET', '/_fake/requests');
  clearRequests = () => this.call<void>('DELETE', '/_fake/requests');
  setWebhooks = (cfg: WebhookConfig) => this.call<unknown>('PUT', '/_fake/webhooks', cfg);
}

export async function startFakeGitHub(opts: SimOptions = {}): Promise<FakeGitHub> {
  const sim = new Sim(opts);
  const server = createServer((req, res) => {
    sim.handle(req, res).catch((err) => {
      console.error('[fake-github]', err);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  sim.base = `http://127.0.0.1:${port}`;
  const close = async () => {
    sim.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return new FakeGitHub(sim, close);
}
