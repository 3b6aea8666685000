// The runner channel (github.md §9.6): sessions, long-poll messages, job completion, and the
// registration calls of the fake config.sh. Private to the fake runner; not a GitHub API.
import { randomUUID } from 'node:crypto';
import type { Ctx } from './http';
import type { Sim } from './sim';
import { DEFAULT_GROUP_ID } from './state';
import type { AdminToken, RunnerRec, Session } from './types';
import { compareVersions, randomAlnum } from './util';
import { JOB_RESULTS, type JobResult, type RegisterRequest, type RemoveRequest, type SessionRequest } from './wire';

const LONG_POLL_MS = 50_000;
const DEFAULT_LABELS = ['self-hosted', 'macOS', 'ARM64'];
const VARIANT_B_MESSAGE =
  'Access denied. System:ServiceIdentity;DDDDDDDD-DDDD-DDDD-DDDD-DDDDDDDDDDDD:Build:00000000-0000-0000-0000-000000000000 needs View permissions to perform the action.';

interface Waiter {
  /** Answers the poll if there is something to say; true when answered. */
  attempt(): boolean;
  drop(): void;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export class RunnerChannel {
  private waiters = new Set<Waiter>();

  constructor(private readonly sim: Sim) {}

  wake(): void {
    for (const w of [...this.waiters]) if (w.attempt()) this.waiters.delete(w);
  }

  dropWaiters(): void {
    for (const w of this.waiters) w.drop();
    this.waiters.clear();
  }

  /** The connect_error window is open (it is timed in scaled seconds from when it was set). */
  private outage(): string | null {
    const f = this.sim.faults.peek('runner.connect_error');
    if (!f) return null;
    if (f.probability === undefined && Date.now() - f.setAt >= this.sim.scaled(f.params.s * 1000)) return null;
    return f.params.message ?? 'Response status code does not indicate success: 503 (Service Unavailable)';
  }

  async handle(ctx: Ctx): Promise<void> {
    const p = ctx.rawPath;
    if (ctx.method === 'POST' && p === '/_fake/runner/session') return this.createSession(ctx);
    if (ctx.method === 'GET' && p === '/_fake/runner/message') return this.poll(ctx);
    if (ctx.method === 'POST' && p === '/_fake/runner/complete') return this.complete(ctx);
    const del = /^\/_fake\/runner\/session\/([^/]+)$/.exec(p);
    if (ctx.method === 'DELETE' && del) return this.deleteSession(ctx, del[1]);
    if (ctx.method === 'POST' && p === '/_fake/runner/register') return this.register(ctx);
    if (ctx.method === 'POST' && p === '/_fake/runner/remove') return this.remove(ctx);
    ctx.send(404, { error: 'not_found' });
  }

  private createSession(ctx: Ctx): void {
    ctx.route = 'runner-session';
    const body = obj(ctx.json()) as Partial<SessionRequest>;
    const outage = this.outage();
    if (outage) return ctx.send(503, { error: 'unavailable', message: outage });
    const runner = this.sim.store.runners.get(Number(body.agentId));
    if (!runner) return ctx.send(404, { error: 'runner_not_found' });
    if (runner.secret !== body.secret || runner.registration !== 'active') return ctx.send(401, { error: 'invalid_client' });
    const version = String(body.version ?? '');
    const min = this.sim.faults.peek('runner.deprecated')?.params.minVersion ?? this.sim.cfg.minRunnerVersion;
    if (min && compareVersions(version, min) < 0) {
      return ctx.send(403, {
        error: 'version_deprecated',
        message: `Runner version v${version} is deprecated and cannot receive messages.`,
      });
    }
    const conflict = this.sim.faults.peek('runner.session_conflict');
    const conflictOpen = conflict && (conflict.probability !== undefined || Date.now() - conflict.setAt < this.sim.scaled(conflict.params.s * 1000));
    if (conflictOpen || this.sim.store.liveSession(runner)) {
      return ctx.send(409, { error: 'session_conflict', message: 'A session for this runner already exists.' });
    }
    const session: Session = { id: randomUUID(), runnerId: runner.id, createdAt: Date.now(), lastSeen: Date.now(), openPolls: 0, closed: false };
    this.sim.store.sessions.set(session.id, session);
    runner.sessionId = session.id;
    runner.version = version;
    runner.os = String(body.os ?? 'macos');
    const forThis = (q: { agentName?: string }) => !q.agentName || q.agentName === runner.name;
    const crash = this.sim.faults.take('runner.crash', forThis);
    const hang = this.sim.faults.take('runner.hang', forThis);
    const reply: Record<string, unknown> = { sessionId: session.id };
    if (crash) reply.crashAfterS = crash.params.afterS;
    if (hang) reply.hangAfterS = hang.params.afterS;
    if (hang?.params.afterJob) reply.hangAfterJob = true;
    ctx.send(201, reply);
    this.sim.kick();
  }

  /** Answer for a poll right now, or null to keep waiting. */
  private answer(ctx: Ctx, session: Session): boolean {
    const outage = this.outage();
    if (outage) {
      ctx.send(503, { error: 'unavailable', message: outage });
      return true;
    }
    const runner = this.sim.store.runners.get(session.runnerId);
    if (!runner || runner.registration === 'deleted') {
      session.closed = true;
      if (runner) runner.sessionId = undefined;
      const b = this.sim.faults.peek('runner.delete_variant_b');
      if (b) ctx.send(403, { error: 'access_denied', message: b.params.message ?? VARIANT_B_MESSAGE });
      else ctx.send(404, { error: 'runner_not_found' });
      return true;
    }
    if (session.closed) {
      ctx.send(404, { error: 'session_not_found' });
      return true;
    }
    const msg = this.sim.board.nextMessage(runner);
    if (!msg) return false;
    ctx.send(200, msg);
    return true;
  }

  private poll(ctx: Ctx): void {
    ctx.route = 'runner-message';
    const session = this.sim.store.sessions.get(ctx.query.get('sessionId') ?? '');
    if (!session || session.closed) return ctx.send(404, { error: 'session_not_found' });
    session.lastSeen = Date.now();
    if (this.answer(ctx, session)) return;
    session.openPolls += 1;
    const done = () => {
      clearTimeout(timer);
      session.openPolls -= 1;
      session.lastSeen = Date.now();
      this.waiters.delete(waiter);
    };
    const waiter: Waiter = {
      attempt: () => {
        if (ctx.finished) return true;
        if (!this.answer(ctx, session)) return false;
        done();
        return true;
      },
      drop: () => {
        done();
        ctx.send(202);
      },
    };
    const timer = setTimeout(() => {
      done();
      ctx.send(202);
    }, this.sim.scaled(LONG_POLL_MS));
    ctx.res.on('close', () => {
      if (!ctx.finished) {
        ctx.finished = true;
        done();
      }
    });
    this.waiters.add(waiter);
  }

  private complete(ctx: Ctx): void {
    ctx.route = 'runner-complete';
    const body = obj(ctx.json());
    const session = this.sim.store.sessions.get(String(body.sessionId ?? ''));
    const result = body.result as JobResult;
    if (!session) return ctx.send(404, { error: 'session_not_found' });
    if (!JOB_RESULTS.includes(result)) return ctx.send(400, { error: 'invalid_result' });
    session.lastSeen = Date.now();
    const runner = this.sim.store.runners.get(session.runnerId);
    if (!runner || !this.sim.board.complete(runner, Number(body.jobId), result)) return ctx.send(404, { error: 'job_not_found' });
    ctx.send(200, {});
  }

  private deleteSession(ctx: Ctx, id: string): void {
    ctx.route = 'runner-session-delete';
    const session = this.sim.store.sessions.get(id);
    if (session) {
      session.closed = true;
      const runner = this.sim.store.runners.get(session.runnerId);
      if (runner?.sessionId === id) runner.sessionId = undefined;
    }
    ctx.send(204);
    this.sim.kick();
  }

  private adminToken(value: unknown, event: AdminToken['event']): AdminToken | undefined {
    const t = this.sim.store.adminTokens.get(String(value ?? ''));
    return t && t.event === event && t.expiresAt > this.sim.clock.now() ? t : undefined;
  }

  private register(ctx: Ctx): void {
    ctx.route = 'runner-register';
    const body = obj(ctx.json()) as Partial<RegisterRequest>;
    const admin = this.adminToken(body.adminToken, 'register');
    if (!admin) return ctx.send(401, { error: 'invalid_token' });
    const store = this.sim.store;
    const group = body.runnerGroup ? store.findGroupByName(admin.scopeKey, body.runnerGroup) : store.findGroup(admin.scopeKey, DEFAULT_GROUP_ID);
    if (!group) return ctx.send(404, { error: 'group_not_found' });
    const names: string[] = [];
    for (const l of [...(body.noDefaultLabels ? [] : DEFAULT_LABELS), ...(body.labels ?? [])]) {
      if (!names.some((n) => n.toLowerCase() === l.toLowerCase())) names.push(l);
    }
    const name = String(body.name ?? '');
    const existing = store.runnerByName(admin.scopeKey, name);
    if (existing && !body.replace) return ctx.send(409, { error: 'exists' });
    const runner: RunnerRec = existing ?? {
      id: store.ids.runner.take(),
      scopeKey: admin.scopeKey,
      scope: admin.scope,
      name,
      os: 'unknown',
      labels: [],
      runnerGroupId: group.id,
      version: null,
      ephemeral: false,
      disableUpdate: false,
      workFolder: '_work',
      secret: '',
      registration: 'active',
      createdAt: this.sim.clock.now(),
    };
    if (existing) store.closeSession(existing);
    runner.labels = names.map((n) => store.labelFor(admin.scopeKey, n));
    runner.runnerGroupId = group.id;
    runner.ephemeral = Boolean(body.ephemeral);
    runner.disableUpdate = Boolean(body.disableUpdate);
    runner.workFolder = body.workFolder || '_work';
    runner.secret = randomAlnum(40);
    runner.registration = 'active';
    store.runners.set(runner.id, runner);
    ctx.send(201, { agentId: String(runner.id), secret: runner.secret, poolId: String(group.id), replaced: existing !== undefined });
    this.sim.kick();
  }

  private remove(ctx: Ctx): void {
    ctx.route = 'runner-remove';
    const body = obj(ctx.json()) as Partial<RemoveRequest>;
    const admin = this.adminToken(body.adminToken, 'remove');
    if (!admin) return ctx.send(401, { error: 'invalid_token' });
    const runner = this.sim.store.runners.get(Number(body.agentId));
    if (!runner || runner.scopeKey !== admin.scopeKey || runner.registration === 'deleted') return ctx.send(404, { error: 'runner_not_found' });
    if (runner.jobId !== undefined) return ctx.send(422, { error: 'busy' });
    this.sim.board.deleteRegistration(runner);
    ctx.send(204);
    this.sim.kick();
  }
}
