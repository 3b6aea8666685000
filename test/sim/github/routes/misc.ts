// Job lookup and the rate-limit endpoint (github.md §2, §9.4.12-13).
import { jobBody } from '../render';
import type { RestRoute } from '../router';
import type { RateLimitOverviewBody } from '../types';
import { ieq } from '../util';

export const miscRoutes: RestRoute[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/jobs/#job_id',
    name: 'get-job',
    auth: 'token',
    need: { area: 'jobs', access: 'read' },
    handle(call) {
      const { sim, ctx, params } = call;
      const job = sim.store.jobs.get(Number(params.job_id));
      if (!job || !ieq(job.repo, `${params.owner}/${params.repo}`)) return ctx.error(404, 'Not Found');
      ctx.send(200, jobBody(sim.urls(), job));
    },
  },
  {
    method: 'GET',
    pattern: '/rate_limit',
    name: 'rate-limit',
    auth: 'optional',
    counts: false,
    handle(call) {
      const view = call.sim.deps.rateView(call.ctx);
      const core = { limit: view.limit, used: view.used, remaining: view.remaining, reset: view.reset };
      const body: RateLimitOverviewBody = {
        resources: { core, search: { limit: 30, used: 0, remaining: 30, reset: view.reset } },
        rate: core,
      };
      call.ctx.send(200, body);
    },
  },
];
