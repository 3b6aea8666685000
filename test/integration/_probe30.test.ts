import { describe, it } from 'vitest';
import { logEntries, openHarness, runJobs, restRequests } from './support/gh-faults';
describe.concurrent('probe', () => {
  it.for([1, 2, 3, 4])('p %i', async (_i, ctx) => {
    const h = await openHarness(ctx, { slots: 1, githubMode: 'ghes', hostRetrySeconds: 1 });
    await h.sim.github.setFault('gh.status', { route: 'generate-jitconfig', status: 404 });
    await h.sim.github.setFault('gh.token_expire_early', {}, { times: 1 });
    await h.waitFor('failure', undefined, 30_000);
    await runJobs(h, 1, 300, 45_000);
    const rest = await restRequests(h);
    const rt = rest.filter((r) => r.path.endsWith('/registration-token')).map((r) => r.status);
    if (rt.includes(401)) {
      console.log(rest.map((r) => `${r.seq} ${r.time} ${r.method} ${r.path} ${r.status} ${r.authKind}`).join('\n'));
      console.log(logEntries(h).filter((e) => e.level !== 'debug' && e.source !== 'runner' && e.source !== 'tart').map((e) => `${new Date(e.ts).toISOString()} ${e.level} ${e.scope} ${e.text}`).join('\n'));
      throw new Error('401 seen');
    }
  });
});
