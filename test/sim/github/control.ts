// Test control API under /_fake (github.md §9.7). No GitHub auth; JSON in and out.
import { z } from 'zod';
import { isoSeconds } from './clock';
import { Faults } from './faults';
import type { Ctx } from './http';
import { jobBody } from './render';
import {
  SeedError,
  seedApp,
  seedEnterprise,
  seedInstallation,
  seedOrg,
  seedRepo,
  seedRunnerGroup,
  seedToken,
  seedUser,
} from './seed';
import type { Sim } from './sim';
import type { Job, RunnerRec } from './types';
import { JOB_RESULTS } from './wire';

const configInput = z
  .object({
    mode: z.enum(['dotcom', 'ghes']),
    latestRunnerVersion: z.string(),
    minRunnerVersion: z.string().nullable(),
    deleteLagMs: z.number().min(0),
    timeScale: z.number().positive(),
    rateLimit: z.object({ enabled: z.boolean(), limit: z.number().int().min(0), status: z.union([z.literal(403), z.literal(429)]) }).partial(),
    tokenFormat: z.enum(['classic', 'stateless']),
    jwtLeewaySec: z.number().min(0),
    listCache: z.number().min(0),
  })
  .partial()
  .strict();

const jobInput = z.object({
  repo: z.string().regex(/^[^/]+\/[^/]+$/),
  name: z.string().min(1),
  labels: z.array(z.string()).default(['self-hosted']),
  durationMs: z.number().min(0).default(1000),
  result: z.enum(JOB_RESULTS as [string, ...string[]]).default('Succeeded'),
  workflowName: z.string().optional(),
});

const faultInput = z.object({
  name: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
  times: z.number().int().positive().optional(),
  probability: z.number().min(0).max(1).optional(),
});
const clockInput = z.object({ advanceSeconds: z.number().optional(), offsetSeconds: z.number().optional() });
const webhookInput = z.object({
  url: z.string().url(),
  secret: z.string(),
  drop: z.union([z.number(), z.boolean()]).optional(),
  duplicate: z.union([z.number(), z.boolean()]).optional(),
  reorder: z.boolean().optional(),
});

export function runnerView(sim: Sim, r: RunnerRec) {
  return {
    id: r.id,
    name: r.name,
    scope: r.scopeKey,
    status: sim.board.online(r) ? 'online' : 'offline',
    busy: r.jobId !== undefined,
    ephemeral: r.ephemeral,
    labels: r.labels.map((l) => l.name),
    runnerGroupId: r.runnerGroupId,
    version: r.version,
    os: r.os,
    registration: r.registration,
    sessionId: r.sessionId ?? null,
    jobId: r.jobId ?? null,
    assignedJobId: r.assignedJobId ?? null,
  };
}

export function jobView(sim: Sim, j: Job) {
  return { ...jobBody(sim.urls(), j), repo: j.repo, durationMs: j.durationMs, result: j.result, cancelRequested: j.cancelRequested, requeues: j.requeues ?? 0 };
}

type Handler = (sim: Sim, ctx: Ctx, m: RegExpExecArray) => void;

const seeders: Record<string, (sim: Sim, body: never) => unknown> = {
  enterprises: seedEnterprise,
  orgs: seedOrg,
  users: seedUser,
  repos: seedRepo,
  apps: seedApp,
  installations: seedInstallation,
  tokens: seedToken,
  'runner-groups': seedRunnerGroup,
};

const routes: [string, RegExp, Handler][] = [
  ['POST', /^\/_fake\/reset$/, (sim, ctx) => (sim.reset(), ctx.send(204))],
  ['GET', /^\/_fake\/config$/, (sim, ctx) => ctx.send(200, sim.cfg)],
  [
    'PUT',
    /^\/_fake\/config$/,
    (sim, ctx) => {
      const c = configInput.parse(ctx.json() ?? {});
      sim.cfg = { ...sim.cfg, ...c, rateLimit: { ...sim.cfg.rateLimit, ...(c.rateLimit ?? {}) } };
      sim.kick();
      ctx.send(200, sim.cfg);
    },
  ],
  [
    'POST',
    /^\/_fake\/clock$/,
    (sim, ctx) => {
      const c = clockInput.parse(ctx.json() ?? {});
      if (c.offsetSeconds !== undefined) sim.clock.setOffset(c.offsetSeconds);
      if (c.advanceSeconds !== undefined) sim.clock.advance(c.advanceSeconds);
      sim.board.tick();
      ctx.send(200, { now: isoSeconds(sim.clock.now()), offsetSeconds: sim.clock.offsetSeconds() });
    },
  ],
  [
    'POST',
    /^\/_fake\/(enterprises|orgs|users|repos|apps|installations|tokens|runner-groups)$/,
    (sim, ctx, m) => ctx.send(201, seeders[m[1]](sim, (ctx.json() ?? {}) as never)),
  ],
  [
    'POST',
    /^\/_fake\/jobs$/,
    (sim, ctx) => {
      const j = jobInput.parse(ctx.json() ?? {});
      const job = sim.board.enqueue({ ...j, result: j.result as Job['result'] });
      ctx.send(201, { id: job.id });
    },
  ],
  [
    'POST',
    /^\/_fake\/jobs\/(\d+)\/cancel$/,
    (sim, ctx, m) => {
      const job = sim.board.cancel(Number(m[1]));
      if (!job) return ctx.send(404, { error: 'job_not_found' });
      ctx.send(200, jobView(sim, job));
    },
  ],
  ['GET', /^\/_fake\/jobs$/, (sim, ctx) => ctx.send(200, [...sim.store.jobs.values()].map((j) => jobView(sim, j)))],
  [
    'GET',
    /^\/_fake\/jobs\/(\d+)$/,
    (sim, ctx, m) => {
      const job = sim.store.jobs.get(Number(m[1]));
      if (!job) return ctx.send(404, { error: 'job_not_found' });
      ctx.send(200, jobView(sim, job));
    },
  ],
  ['GET', /^\/_fake\/runners$/, (sim, ctx) => ctx.send(200, [...sim.store.runners.values()].map((r) => runnerView(sim, r)))],
  [
    'DELETE',
    /^\/_fake\/runners\/(\d+)$/,
    (sim, ctx, m) => {
      // Server-side removal (e.g. the 1-day cleanup): the record is gone entirely.
      const r = sim.store.runners.get(Number(m[1]));
      if (!r) return ctx.send(404, { error: 'runner_not_found' });
      sim.board.deleteRegistration(r);
      if (r.jobId !== undefined) {
        const job = sim.store.jobs.get(r.jobId);
        if (job && job.status === 'in_progress') Object.assign(job, { status: 'completed', conclusion: 'failure', completedAt: sim.clock.now() });
      }
      sim.store.runners.delete(r.id);
      sim.kick();
      ctx.send(204);
    },
  ],
  [
    'POST',
    /^\/_fake\/faults$/,
    (sim, ctx) => {
      const f = faultInput.parse(ctx.json() ?? {});
      if (!Faults.isName(f.name)) return ctx.send(400, { error: `unknown fault ${f.name}` });
      const fault = sim.faults.set(f.name, f.params as never, f.times, f.probability);
      sim.kick();
      ctx.send(201, fault);
    },
  ],
  ['GET', /^\/_fake\/faults$/, (sim, ctx) => ctx.send(200, sim.faults.all())],
  ['DELETE', /^\/_fake\/faults$/, (sim, ctx) => (sim.faults.clear(), sim.kick(), ctx.send(204))],
  ['GET', /^\/_fake\/requests$/, (sim, ctx) => ctx.send(200, sim.requestLog)],
  ['DELETE', /^\/_fake\/requests$/, (sim, ctx) => ((sim.requestLog = []), ctx.send(204))],
  [
    'PUT',
    /^\/_fake\/webhooks$/,
    (sim, ctx) => {
      sim.webhooks.config = webhookInput.parse(ctx.json() ?? {});
      ctx.send(200, { ...sim.webhooks.config, secret: '***' });
    },
  ],
  ['DELETE', /^\/_fake\/webhooks$/, (sim, ctx) => ((sim.webhooks.config = null), ctx.send(204))],
  ['GET', /^\/_fake\/webhooks\/deliveries$/, (sim, ctx) => ctx.send(200, sim.webhooks.deliveries)],
];

export function handleControl(sim: Sim, ctx: Ctx): void {
  for (const [method, re, handler] of routes) {
    const m = re.exec(ctx.rawPath);
    if (m && method === ctx.method) {
      try {
        return handler(sim, ctx, m);
      } catch (err) {
        if (err instanceof z.ZodError) return ctx.send(400, { error: 'invalid_input', issues: err.issues });
        if (err instanceof SeedError) return ctx.send(400, { error: err.message });
        throw err;
      }
    }
  }
  ctx.send(404, { error: 'not_found' });
}
