// `workflow_job` webhook deliveries (github.md §7) with optional drop/duplicate/reorder dice
// from a seeded PRNG, signed with X-Hub-Signature-256.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { jobBody } from './render';
import type { Sim } from './sim';
import type { Job } from './types';
import { seededRandom } from './util';

export interface WebhookConfig {
  url: string;
  secret: string;
  /** Probability (0..1) that a delivery is dropped; `true` = always. */
  drop?: number | boolean;
  /** Probability (0..1) that a delivery is sent twice (same X-GitHub-Delivery). */
  duplicate?: number | boolean;
  /** Deliver with random delays so order is not guaranteed. */
  reorder?: boolean;
}

export interface DeliveryRecord {
  id: string;
  action: string;
  jobId: number;
  dropped: boolean;
  attempts: number;
  statuses: (number | string)[];
}

const prob = (v: number | boolean | undefined) => (v === true ? 1 : typeof v === 'number' ? v : 0);

export class Webhooks {
  config: WebhookConfig | null = null;
  deliveries: DeliveryRecord[] = [];
  private random: () => number;

  constructor(
    private readonly sim: Sim,
    private readonly seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  reset(): void {
    this.config = null;
    this.deliveries = [];
    this.random = seededRandom(this.seed);
  }

  emit(action: 'queued' | 'in_progress' | 'completed', job: Job): void {
    const cfg = this.config;
    if (!cfg) return;
    const urls = this.sim.urls();
    const [owner, name] = job.repo.split('/');
    const repo = this.sim.store.findRepo(owner, name);
    const org = this.sim.store.findOrg(owner);
    const payload: Record<string, unknown> = {
      action,
      workflow_job: jobBody(urls, job),
      repository: {
        id: repo?.id ?? 0,
        name,
        full_name: job.repo,
        private: repo?.private ?? true,
        owner: { login: owner, id: org?.id ?? 0, type: org ? 'Organization' : 'User' },
      },
      sender: { login: 'octocat', id: 1, type: 'User' },
    };
    if (org) payload.organization = { login: org.login, id: org.id };
    const inst = [...this.sim.store.installations.values()].find((i) => i.account.login.toLowerCase() === owner.toLowerCase());
    if (inst) payload.installation = { id: inst.id, node_id: Buffer.from(`I${inst.id}`).toString('base64url') };
    const body = JSON.stringify(payload);
    const record: DeliveryRecord = { id: randomUUID(), action, jobId: job.id, dropped: false, attempts: 0, statuses: [] };
    this.deliveries.push(record);
    if (this.random() < prob(cfg.drop)) {
      record.dropped = true;
      return;
    }
    const copies = this.random() < prob(cfg.duplicate) ? 2 : 1;
    const headers = {
      'content-type': 'application/json',
      'user-agent': `GitHub-Hookshot/${randomBytes(4).toString('hex').slice(0, 7)}`,
      'x-github-event': 'workflow_job',
      'x-github-delivery': record.id,
      'x-github-hook-id': '1',
      'x-github-hook-installation-target-id': String(repo?.id ?? 0),
      'x-github-hook-installation-target-type': 'repository',
      'x-hub-signature-256': `sha256=${createHmac('sha256', cfg.secret).update(body).digest('hex')}`,
    };
    for (let i = 0; i < copies; i++) {
      const delay = cfg.reorder ? Math.floor(this.random() * 200) : 0;
      const send = () => {
        record.attempts += 1;
        fetch(cfg.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) })
          .then((r) => record.statuses.push(r.status))
          .catch((e: Error) => record.statuses.push(e.message));
      };
      if (delay > 0) setTimeout(send, delay).unref();
      else send();
    }
  }
}
