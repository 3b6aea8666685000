// Jobs and their routing to runners (github.md §6.4, §9.6): a queued job goes to the oldest idle
// online runner of the repo's scope (repo, then org, then enterprise) whose labels cover the job's
// and whose group admits the repo. Also the timers: re-offer after 60 s, fail after 24 h queued,
// lost sessions, and deletion of used ephemeral registrations after the delete lag.
import type { Sim } from './sim';
import type { Job, RunnerRec } from './types';
import { randomBytes } from 'node:crypto';
import { compareVersions } from './util';
import type { ChannelMessage, JobResult } from './wire';

export interface EnqueueSpec {
  repo: string;
  name: string;
  labels: string[];
  durationMs: number;
  result: JobResult;
  workflowName?: string;
}

const CONCLUSION: Record<JobResult, Job['conclusion']> = {
  Succeeded: 'success',
  SucceededWithIssues: 'success',
  Failed: 'failure',
  Canceled: 'cancelled',
  Skipped: 'skipped',
  Abandoned: 'failure',
};

const DAY_MS = 24 * 3600 * 1000;

export class JobBoard {
  constructor(private readonly sim: Sim) {}

  private get store() {
    return this.sim.store;
  }

  enqueue(spec: EnqueueSpec): Job {
    const job: Job = {
      id: this.store.ids.job.take(),
      runId: this.store.ids.run.take(),
      name: spec.name,
      workflowName: spec.workflowName ?? 'CI',
      repo: spec.repo,
      labels: [...spec.labels],
      status: 'queued',
      conclusion: null,
      createdAt: this.sim.clock.now(),
      startedAt: null,
      completedAt: null,
      runnerId: null,
      runnerName: null,
      runnerGroupId: null,
      runnerGroupName: null,
      durationMs: spec.durationMs,
      result: spec.result,
      headSha: randomBytes(20).toString('hex'),
      cancelRequested: false,
      cancelDelivered: false,
    };
    this.store.jobs.set(job.id, job);
    this.sim.webhooks.emit('queued', job);
    this.sim.kick();
    return job;
  }

  /** Cancels a job: a queued one ends at once; a running one is told on its runner's next poll. */
  cancel(id: number): Job | undefined {
    const job = this.store.jobs.get(id);
    if (!job || job.status === 'completed') return job;
    if (job.status === 'queued') {
      this.unassign(job);
      this.finish(job, 'cancelled');
    } else job.cancelRequested = true;
    this.sim.kick();
    return job;
  }

  online(r: RunnerRec): boolean {
    return r.registration !== 'deleted' && this.store.liveSession(r) !== undefined;
  }

  private scopeRank(r: RunnerRec, job: Job): number {
    const [owner, name] = job.repo.toLowerCase().split('/');
    if (r.scopeKey === `repo:${owner}/${name}`) return 0;
    if (r.scopeKey === `org:${owner}`) return 1;
    const ent = this.store.findOrg(owner)?.enterprise;
    if (ent && r.scopeKey === `enterprise:${ent.toLowerCase()}`) return 2;
    return -1;
  }

  private groupAdmits(r: RunnerRec, job: Job): boolean {
    if (r.scope.kind === 'repo') return true;
    const group = this.store.findGroup(r.scopeKey, r.runnerGroupId);
    if (!group) return false;
    const [owner, name] = job.repo.split('/');
    const repo = this.store.findRepo(owner, name);
    const isPrivate = repo?.private ?? true;
    if (!isPrivate && !group.allowsPublicRepositories) return false;
    if (group.visibility === 'all') return true;
    if (group.visibility === 'private') return isPrivate;
    return group.selectedRepos.includes(job.repo.toLowerCase());
  }

  private idle(r: RunnerRec): boolean {
    return r.registration === 'active' && this.online(r) && r.jobId === undefined && r.assignedJobId === undefined;
  }

  private matches(r: RunnerRec, job: Job): boolean {
    if (this.sim.faults.peek('runner.never_assigned', (p) => !p.agentName || p.agentName === r.name, r.name)) return false;
    const have = new Set(r.labels.map((l) => l.name.toLowerCase()));
    return job.labels.every((l) => have.has(l.toLowerCase())) && this.groupAdmits(r, job);
  }

  /** Routes every queued, unassigned job (oldest first) to a matching idle runner. */
  route(): void {
    const queued = [...this.store.jobs.values()].filter((j) => j.status === 'queued' && j.assignedAt === undefined);
    queued.sort((a, b) => a.id - b.id);
    for (const job of queued) {
      const candidates = [...this.store.runners.values()]
        .map((r) => ({ r, rank: this.scopeRank(r, job) }))
        .filter(({ r, rank }) => rank >= 0 && this.idle(r) && this.matches(r, job))
        .sort((a, b) => a.rank - b.rank || a.r.id - b.r.id);
      const pick = candidates[0]?.r;
      if (!pick) continue;
      pick.assignedJobId = job.id;
      job.assignedAt = Date.now();
    }
  }

  private unassign(job: Job): void {
    // Routed but never fetched: GitHub offers the job again (counted for soak reports).
    if (job.assignedAt !== undefined) job.requeues = (job.requeues ?? 0) + 1;
    for (const r of this.store.runners.values()) if (r.assignedJobId === job.id) r.assignedJobId = undefined;
    job.assignedAt = undefined;
  }

  /** What a polling runner gets now, or null to keep waiting. */
  nextMessage(r: RunnerRec): ChannelMessage | null {
    if (r.jobId !== undefined) {
      const job = this.store.jobs.get(r.jobId);
      if (job?.cancelRequested && !job.cancelDelivered) {
        job.cancelDelivered = true;
        const retryable = this.sim.faults.peek('runner.cancel_retryable') !== undefined;
        return retryable ? { type: 'cancel', jobId: job.id, retryable } : { type: 'cancel', jobId: job.id };
      }
      return null;
    }
    const crash = this.sim.faults.take('runner.retryable_crash', undefined, r.sessionId ?? r.name);
    if (crash) {
      this.store.closeSession(r);
      if (r.assignedJobId !== undefined) this.unassign(this.store.jobs.get(r.assignedJobId)!);
      return { type: 'crash', message: crash.params.message ?? 'The HTTP request timed out after 00:01:00.' };
    }
    const update = this.sim.faults.peek('runner.self_update', undefined, r.name);
    if (update && r.version !== null && compareVersions(r.version, update.params.version) < 0) {
      if (r.assignedJobId !== undefined) this.unassign(this.store.jobs.get(r.assignedJobId)!);
      return { type: 'update', version: update.params.version };
    }
    if (r.assignedJobId === undefined) return null;
    const job = this.store.jobs.get(r.assignedJobId);
    r.assignedJobId = undefined;
    if (!job || job.status !== 'queued') return null;
    const group = this.store.findGroup(r.scopeKey, r.runnerGroupId);
    job.status = 'in_progress';
    job.assignedAt = undefined;
    job.startedAt = this.sim.clock.now();
    job.runnerId = r.id;
    job.runnerName = r.name;
    job.runnerGroupId = r.runnerGroupId;
    job.runnerGroupName = group?.name ?? 'Default';
    r.jobId = job.id;
    this.sim.webhooks.emit('in_progress', job);
    return {
      type: 'job',
      job: { id: job.id, displayName: job.name, durationMs: job.durationMs, result: job.result, repository: job.repo, runId: job.runId, serverUrl: this.sim.urls().base },
    };
  }

  /** The runner reports the end of its job. */
  complete(r: RunnerRec, jobId: number, result: JobResult): boolean {
    const job = this.store.jobs.get(jobId);
    if (!job || job.runnerId !== r.id || job.status !== 'in_progress') return false;
    r.jobId = undefined;
    this.finish(job, CONCLUSION[result]);
    if (r.ephemeral && r.registration === 'active') {
      r.registration = 'used';
      const lag = this.sim.faults.peek('gh.delete_lag')?.params.ms ?? this.sim.cfg.deleteLagMs;
      r.deleteAt = Date.now() + lag;
    }
    this.sim.kick();
    return true;
  }

  private finish(job: Job, conclusion: Job['conclusion']): void {
    job.status = 'completed';
    job.conclusion = conclusion;
    job.completedAt = this.sim.clock.now();
    job.assignedAt = undefined;
    this.sim.webhooks.emit('completed', job);
  }

  /** Removes a runner's registration (REST DELETE, deletion lag); its session learns on its next poll. */
  deleteRegistration(r: RunnerRec): void {
    r.registration = 'deleted';
    r.deleteAt = undefined;
    if (r.assignedJobId !== undefined) {
      const job = this.store.jobs.get(r.assignedJobId);
      if (job) this.unassign(job);
    }
  }

  tick(): void {
    const now = Date.now();
    const scale = this.sim.cfg.timeScale;
    const sessionTimeout = Math.max(1000, 60_000 * scale);
    let changed = false;
    for (const r of this.store.runners.values()) {
      if (r.registration === 'used' && r.deleteAt !== undefined && r.deleteAt <= now) {
        this.deleteRegistration(r);
        changed = true;
      }
      const s = this.store.liveSession(r);
      if (s && s.openPolls === 0 && now - s.lastSeen > sessionTimeout) {
        // The runner stopped talking (killed, hung): offline, and its job is lost.
        this.store.closeSession(r);
        if (r.jobId !== undefined) {
          const job = this.store.jobs.get(r.jobId);
          r.jobId = undefined;
          if (job && job.status === 'in_progress') this.finish(job, 'failure');
        }
        if (r.assignedJobId !== undefined) this.unassign(this.store.jobs.get(r.assignedJobId)!);
        changed = true;
      }
    }
    for (const job of this.store.jobs.values()) {
      if (job.status !== 'queued') continue;
      if (job.assignedAt !== undefined && now - job.assignedAt > 60_000 * scale) {
        this.unassign(job);
        changed = true;
      }
      if (this.sim.clock.now() - job.createdAt >= DAY_MS) {
        this.unassign(job);
        this.finish(job, 'failure');
        changed = true;
      }
    }
    if (changed) this.sim.kick();
  }
}
