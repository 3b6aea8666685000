// A whole host on the simulator with telemetry configured: what reaches the OTLP receiver matches
// what the fake GitHub saw (telemetry.md §7).
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../sim/otlp/receiver';
import { startHarness, type Harness } from './support/harness';
import { newestPoints } from './support/telemetry-rig';

const AUTH = `Basic ${Buffer.from('987654:glc_simsimsimsimsimsimsimsimsim0123').toString('base64')}`;

let h: Harness | undefined;
let rx: OtlpReceiver | undefined;
afterEach(async () => {
  await h?.dispose();
  await rx?.close();
  h = undefined;
  rx = undefined;
});

describe('telemetry of a simulated host', () => {
  it('exports ekiden.jobs equal to the jobs the fake GitHub completed, GitHub call timings and the host checks', async () => {
    rx = await startOtlpReceiver({ prefix: '/otlp', requireAuth: AUTH });
    const endpoint = rx.url;
    h = await startHarness({
      slots: 1,
      configure: (config) => {
        config.telemetry = { endpoint, authorization: { env: 'EKIDEN_OTLP_AUTHORIZATION' }, exportIntervalSeconds: 10 };
      },
      env: (env) => ({ ...env, EKIDEN_OTLP_AUTHORIZATION: AUTH }),
    });
    expect(h.host.telemetry?.metricsUrl).toBe(`${endpoint}/v1/metrics`);
    const ids = await h.sim.enqueue(2, { durationMs: 300 });
    const done = await h.waitForCount('job.completed', 2, undefined, 60_000);
    await h.shutdown('drain'); // the final export happens on shutdown

    const completed = (await h.sim.github.jobs()).filter((j) => ids.includes(j.id) && j.status === 'completed');
    expect(completed).toHaveLength(2);
    const points = newestPoints(rx);
    const jobs = points.filter((p) => p.metric === 'ekiden.jobs');
    expect(jobs.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(completed.length);
    expect(jobs.find((p) => p.attributes['cicd.pipeline.result'] === 'success')?.value).toBe(completed.filter((j) => j.conclusion === 'success').length);

    const calls = points.filter((p) => p.metric === 'http.client.request.duration');
    expect(calls.map((p) => p.attributes['url.template'])).toContain('/orgs/{org}/actions/runners/generate-jitconfig');
    for (const c of calls) expect(String(c.attributes['url.template'])).not.toMatch(/ekiden-/);
    expect(points.some((p) => p.metric === 'ekiden.host.check.status' && p.attributes['ekiden.check'] === 'tart_version')).toBe(true);
    expect(points.find((p) => p.metric === 'ekiden.supervisor.paused')?.value).toBe(1);
    expect(points[0].resource).toMatchObject({ 'service.name': 'ekiden', 'service.instance.id': h.sim.hostId, 'ekiden.github.scope': 'org:octo-org' });
    expect(rx.metrics().every((r) => r.headers.authorization === AUTH)).toBe(true);

    // nothing secret and no VM, runner or job name in any attribute
    const attributeText = JSON.stringify(points.map((p) => [p.attributes, p.resource]));
    for (const s of h.sim.secrets.flatMap((x) => x.split('\n')).filter((x) => x.length > 8)) expect(attributeText).not.toContain(s);
    for (const e of done) {
      expect(attributeText).not.toContain(e.vm);
      expect(attributeText).not.toContain(e.job);
    }
    expect(h.logText()).not.toContain(AUTH.slice(6));
  });
});
