// Telemetry end to end: events on a real EventBus -> OTLP/HTTP protobuf -> the simulator's receiver,
// decoded and checked against telemetry.md §2-§4.
import { afterEach, describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../../src-main/core/errors';
import type { EkidenEvent, PipelineResult, RunnerResult } from '../../src-main/core/events/types';
import { SECONDS_BUCKETS } from '../../src-main/core/telemetry/metric-definitions';
import { startTelemetry } from '../../src-main/core/telemetry/telemetry';
import { nullLogger } from '../../src-main/core/util/logger';
import { EventBus } from '../../src-main/core/events/bus';
import type { MetricPoint } from '../sim/otlp/view';
import { clockAt, newestPoints, startRig, type TelemetryRig } from './support/telemetry-rig';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1, 8, 0, 0);
const VM0 = 'ekiden-mini-7-0-k3p9';
const VM1 = 'ekiden-mini-7-1-z8q2';
const OTHER_VM = 'sequoia-dev-by-hand';
const JOB = 'build (macos-15, xcode-16)';
const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const REF = 'ghcr.io/acme/macos-runner:sequoia';
const TOKEN = 'glc_eyJvIjoiMTIzIiwibiI6InN0YWNrLTEyMy1vdGxwIiwiayI6IjEyMzQ1Njc4OTAifQ==';
const AUTH = `Basic ${Buffer.from(`987654:${TOKEN}`).toString('base64')}`;

const jobDone = (slot: number, result: PipelineResult, runnerResult: RunnerResult, seconds: number): EkidenEvent => ({
  type: 'job.completed', at: T0, slot, vm: slot ? VM1 : VM0, runnerName: slot ? VM1 : VM0, job: JOB, runnerResult, result, seconds, imageDigest: DIGEST,
});

/** One host's day in events: what slot.ts, supervisor.ts, teardown.ts, reconcile.ts, image-manager.ts emit. */
function aDay(): EkidenEvent[] {
  return [
    { type: 'host.state', at: T0, paused: false, draining: false, slots: 2 },
    { type: 'image.pulled', at: T0, ref: REF, result: 'updated', digest: DIGEST, seconds: 412 },
    { type: 'image.pulled', at: T0, ref: REF, result: 'unchanged', digest: DIGEST, seconds: 1.2 },
    { type: 'image.current', at: T0, ref: REF, digest: DIGEST },
    { type: 'slot.state', at: T0, slot: 0, state: 'preparing', previous: 'idle', vm: VM0 },
    { type: 'phase.completed', at: T0, slot: 0, phase: 'pull', outcome: 'ok', seconds: 1.2, vm: VM0 },
    { type: 'phase.completed', at: T0, slot: 0, phase: 'clone', outcome: 'ok', seconds: 8, vm: VM0 },
    { type: 'phase.completed', at: T0, slot: 0, phase: 'boot', outcome: 'ok', seconds: 14, vm: VM0 },
    { type: 'phase.completed', at: T0, slot: 0, phase: 'ip', outcome: 'ok', seconds: 6, vm: VM0 },
    { type: 'phase.completed', at: T0, slot: 0, phase: 'connect', outcome: 'ok', seconds: 3, vm: VM0 },
    { type: 'phase.completed', at: T0, slot: 0, phase: 'register', outcome: 'ok', seconds: 11, vm: VM0 },
    { type: 'runner.version', at: T0, slot: 0, version: '2.334.0' },
    { type: 'runner.latest', at: T0, version: '2.336.0' },
    { type: 'phase.completed', at: T0, slot: 0, phase: 'idle', outcome: 'ok', seconds: 40, vm: VM0 },
    { type: 'job.started', at: T0, slot: 0, vm: VM0, runnerName: VM0, job: JOB },
    jobDone(0, 'success', 'Succeeded', 300),
    jobDone(0, 'success', 'SucceededWithIssues', 250),
    jobDone(1, 'failure', 'Failed', 95),
    jobDone(1, 'cancellation', 'Canceled', 12),
    jobDone(0, 'success', 'Succeeded', 610),
    { type: 'phase.completed', at: T0, slot: 0, phase: 'finishing', outcome: 'ok', seconds: 2, vm: VM0 },
    { type: 'runner.deleted', at: T0, runnerId: 41, name: VM0, reason: 'teardown', status: 404 },
    { type: 'runner.deleted', at: T0, runnerId: 42, name: VM1, reason: 'idle_ttl', status: 204 },
    { type: 'runner.deleted', at: T0, runnerId: 43, name: 'ekiden-mini-7-0-old1', reason: 'sweep', status: 422 },
    { type: 'phase.completed', at: T0, slot: 0, phase: 'teardown', outcome: 'ok', seconds: 5, vm: VM0 },
    { type: 'cycle.completed', at: T0, slot: 0, outcome: 'job_completed', seconds: 1000, vm: VM0 },
    { type: 'failure', at: T0, slot: 1, reason: 'ip_timeout', message: `No IP address for ${VM1} within 120s.`, phase: 'ip', vm: VM1, hostWide: false },
    { type: 'failure', at: T0, reason: 'host_reboot_needed', message: 'reboot this Mac', hostWide: true },
    { type: 'cycle.completed', at: T0, slot: 1, outcome: 'failed', seconds: 130, vm: VM1 },
    { type: 'slot.state', at: T0, slot: 0, state: 'running', previous: 'listening', vm: VM0 },
    { type: 'slot.state', at: T0, slot: 1, state: 'listening', previous: 'registering', vm: VM1 },
    {
      type: 'vm.inventory', at: T0, ociCacheBytes: 52e9,
      vms: [
        { name: VM0, owner: 'ekiden', state: 'running' },
        { name: VM1, owner: 'ekiden', state: 'running' },
        { name: OTHER_VM, owner: 'other', state: 'stopped' },
      ],
    },
    {
      type: 'github.call', at: T0, method: 'POST', urlTemplate: '/orgs/{org}/actions/runners/generate-jitconfig', serverAddress: 'api.github.com',
      status: 201, seconds: 0.42, rateLimit: { resource: 'core', remaining: 4987, limit: 5000 },
    },
    {
      type: 'github.call', at: T0, method: 'DELETE', urlTemplate: '/orgs/{org}/actions/runners/{runner_id}', serverAddress: 'api.github.com',
      status: 422, seconds: 0.2, errorType: '422', rateLimit: { resource: 'core', remaining: 4986, limit: 5000 },
    },
    { type: 'github.call', at: T0, method: 'GET', urlTemplate: '/orgs/{org}/actions/runners', serverAddress: 'api.github.com', status: null, seconds: 30, errorType: 'timeout' },
    {
      type: 'host.checks', at: T0,
      checks: [
        { id: 'tart_version', status: 'ok' },
        { id: 'disk_space', status: 'warn', value: 40e9 },
        { id: 'dhcp_lease_time', status: 'warn', value: 86_400 },
        { id: 'dhcp_leases', status: 'ok', value: 17, values: { active: 17, expired: 4 } },
        { id: 'login_keychain', status: 'fail' },
      ],
    },
  ];
}

/** §4: instrument kind, unit and the attribute keys every point carries (optional keys in brackets). */
const SPEC: Record<string, { kind: 'counter' | 'updown' | 'gauge' | 'histogram'; unit: string; keys: string[]; optional?: string[] }> = {
  'cicd.worker.count': { kind: 'updown', unit: '{worker}', keys: ['cicd.worker.state'] },
  'ekiden.slot.count': { kind: 'updown', unit: '{slot}', keys: ['ekiden.slot.state'] },
  'ekiden.supervisor.paused': { kind: 'gauge', unit: '{state}', keys: [] },
  'ekiden.jobs': { kind: 'counter', unit: '{job}', keys: ['cicd.pipeline.result', 'ekiden.runner.result', 'ekiden.slot'] },
  'ekiden.job.duration': { kind: 'histogram', unit: 's', keys: ['cicd.pipeline.result', 'ekiden.slot'] },
  'ekiden.phase.duration': { kind: 'histogram', unit: 's', keys: ['ekiden.phase', 'ekiden.outcome', 'ekiden.slot'] },
  'ekiden.cycle.duration': { kind: 'histogram', unit: 's', keys: ['ekiden.cycle.outcome', 'ekiden.slot'] },
  'cicd.system.errors': { kind: 'counter', unit: '{error}', keys: ['cicd.system.component', 'error.type'], optional: ['ekiden.phase'] },
  'ekiden.image.pulls': { kind: 'counter', unit: '{pull}', keys: ['ekiden.pull.result', 'host.image.name'] },
  'ekiden.image.info': { kind: 'gauge', unit: '{image}', keys: ['host.image.name', 'host.image.id'] },
  'ekiden.vm.count': { kind: 'updown', unit: '{vm}', keys: ['ekiden.vm.owner', 'ekiden.vm.state'] },
  'system.filesystem.usage': { kind: 'updown', unit: 'By', keys: ['system.filesystem.mountpoint', 'system.filesystem.state'] },
  'ekiden.tart.cache.usage': { kind: 'updown', unit: 'By', keys: [] },
  'ekiden.runner.version.age': { kind: 'gauge', unit: 'd', keys: ['ekiden.runner.version', 'ekiden.runner.latest_version'] },
  'http.client.request.duration': {
    kind: 'histogram', unit: 's', keys: ['http.request.method', 'server.address', 'url.template'], optional: ['http.response.status_code', 'error.type'],
  },
  'ekiden.github.ratelimit.remaining': { kind: 'gauge', unit: '{request}', keys: ['ekiden.github.ratelimit.resource'] },
  'ekiden.github.runner.deletions': { kind: 'counter', unit: '{runner}', keys: ['ekiden.deletion.reason', 'http.response.status_code'] },
  'ekiden.host.check.status': { kind: 'gauge', unit: '{status}', keys: ['ekiden.check'] },
  'ekiden.dhcp.lease_time': { kind: 'gauge', unit: 's', keys: [] },
  'ekiden.dhcp.leases': { kind: 'gauge', unit: '{lease}', keys: ['ekiden.lease.state'] },
};

const list = (s: string) => s.split(',').map((x) => x.trim());
/** §4 value sets, as the spec writes them. */
const VALUES: Record<string, (string | number)[]> = {
  'cicd.worker.state': list('available, busy, offline'),
  'ekiden.slot.state': list('idle, preparing, cloning, booting, connecting, registering, listening, running, finishing, tearing-down, backoff, draining, paused, stopped'),
  'cicd.pipeline.result': list('success, failure, cancellation, skip, error'),
  'ekiden.runner.result': list('Succeeded, SucceededWithIssues, Failed, Canceled, Skipped, Abandoned'),
  'ekiden.slot': ['0', '1'],
  'ekiden.phase': list('pull, clone, boot, ip, connect, register, idle, finishing, teardown'),
  'ekiden.outcome': list('ok, timeout, error, cancelled'),
  'ekiden.cycle.outcome': list('job_completed, idle_recycled, failed, aborted'),
  'cicd.system.component': list('tart, guest, github, runner, image, host'),
  'error.type': [...Object.values(FAILURE_REASONS).flat(), '422', 'timeout', 'network'],
  'ekiden.pull.result': list('unchanged, updated, failed'),
  'ekiden.vm.owner': list('ekiden, other'),
  'ekiden.vm.state': list('running, suspended, stopped'),
  'system.filesystem.state': list('used, free'),
  'ekiden.deletion.reason': list('teardown, idle_ttl, sweep, jit_orphan'),
  'ekiden.check': list('tart_version, tart_home, disk_space, dhcp_lease_time, dhcp_leases, login_keychain, local_network, gui_user, github_auth, registry'),
  'ekiden.lease.state': list('active, expired'),
};

const kindOf = (p: MetricPoint) =>
  p.kind === 'sum' ? (p.monotonic ? 'counter' : 'updown') : p.kind;
const pointsOf = (points: MetricPoint[], metric: string) => points.filter((p) => p.metric === metric);
const value = (points: MetricPoint[], metric: string, attrs: Record<string, string | number>) =>
  pointsOf(points, metric).find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))?.value;

let rig: TelemetryRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('OTLP metrics from core events', () => {
  it('exports every §4 metric with its unit, kind, cumulative temporality and exact attribute keys', async () => {
    rig = await startRig({ authorization: AUTH }, { prefix: '/otlp', requireAuth: AUTH });
    rig.emit(...aDay());
    const points = await rig.flushPoints();

    expect(new Set(points.map((p) => p.metric))).toEqual(new Set(Object.keys(SPEC)));
    for (const p of points) {
      const spec = SPEC[p.metric];
      expect({ metric: p.metric, unit: p.unit, kind: kindOf(p) }).toEqual({ metric: p.metric, unit: spec.unit, kind: spec.kind });
      if (p.kind !== 'gauge') expect(p.temporality, p.metric).toBe(2);
      if (p.kind === 'histogram') expect(p.bounds, p.metric).toEqual(SECONDS_BUCKETS);
      const keys = Object.keys(p.attributes).filter((k) => !spec.optional?.includes(k));
      expect(keys.sort(), p.metric).toEqual([...spec.keys].sort());
      for (const [k, v] of Object.entries(p.attributes)) if (VALUES[k]) expect(VALUES[k], `${p.metric} ${k}`).toContain(v);
    }
  });

  it('sends protobuf with the Authorization header to <base>/v1/metrics and the §3 resource', async () => {
    rig = await startRig(
      { authorization: AUTH, resource: { serviceVersion: '0.1.0', instanceId: 'mini-7', githubScope: 'org:acme', environment: 'production', tartVersion: Promise.resolve('2.22.0') } },
      { prefix: '/otlp', requireAuth: AUTH },
    );
    rig.emit(...aDay());
    const points = await rig.flushPoints();
    const request = rig.rx.metrics().at(-1)!;
    expect(request.path).toBe('/otlp/v1/metrics');
    expect(request.headers.authorization).toBe(AUTH);
    expect(request.headers.authorization).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(points[0].resource).toMatchObject({
      'service.name': 'ekiden',
      'service.version': '0.1.0',
      'service.instance.id': 'mini-7',
      'host.arch': expect.stringMatching(/^(arm64|amd64)$/),
      'os.type': process.platform,
      'ekiden.tart.version': '2.22.0',
      'ekiden.github.scope': 'org:acme',
      'deployment.environment.name': 'production',
    });
    expect(typeof points[0].resource['host.name']).toBe('string');
  });

  it('counts ekiden.jobs exactly as the job.completed events, per result and slot', async () => {
    rig = await startRig();
    const more = Array.from({ length: 25 }, (_, i) =>
      i % 5 === 0 ? jobDone(i % 2, 'failure', 'Failed', 60 + i) : jobDone(i % 2, 'success', 'Succeeded', 60 + i),
    );
    const events = [...aDay(), ...more];
    rig.emit(...aDay());
    // more jobs complete while exports run on their own timer
    await rig.rx.waitFor((r) => r.signal === 'metrics' && r.status === 200, 5_000);
    rig.emit(...more);
    const points = await rig.flushPoints();

    const expected = new Map<string, number>();
    for (const e of events) {
      if (e.type !== 'job.completed') continue;
      const key = `${e.result}|${e.runnerResult}|${e.slot}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const got = new Map(
      pointsOf(points, 'ekiden.jobs').map((p) => [`${p.attributes['cicd.pipeline.result']}|${p.attributes['ekiden.runner.result']}|${p.attributes['ekiden.slot']}`, p.value]),
    );
    expect(got).toEqual(expected);
    const jobs = events.filter((e) => e.type === 'job.completed').length;
    expect(pointsOf(points, 'ekiden.job.duration').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(jobs);
  });

  it('reports every slot state (0 when empty) and maps them to cicd worker states', async () => {
    rig = await startRig();
    rig.emit({ type: 'host.state', at: T0, paused: false, draining: true, slots: 2 });
    let points = await rig.flushPoints();
    expect(pointsOf(points, 'ekiden.slot.count')).toHaveLength(14);
    expect(value(points, 'ekiden.slot.count', { 'ekiden.slot.state': 'idle' })).toBe(2);
    expect(value(points, 'ekiden.slot.count', { 'ekiden.slot.state': 'backoff' })).toBe(0);
    expect(value(points, 'cicd.worker.count', { 'cicd.worker.state': 'offline' })).toBe(2);
    expect(value(points, 'ekiden.supervisor.paused', {})).toBe(1);

    rig.emit(
      { type: 'slot.state', at: T0, slot: 0, state: 'finishing', previous: 'running' },
      { type: 'slot.state', at: T0, slot: 1, state: 'listening', previous: 'registering' },
      { type: 'host.state', at: T0, paused: false, draining: false, slots: 2 },
    );
    points = await rig.flushPoints();
    expect(value(points, 'ekiden.slot.count', { 'ekiden.slot.state': 'idle' })).toBe(0);
    expect(value(points, 'ekiden.slot.count', { 'ekiden.slot.state': 'finishing' })).toBe(1);
    expect(value(points, 'cicd.worker.count', { 'cicd.worker.state': 'busy' })).toBe(1);
    expect(value(points, 'cicd.worker.count', { 'cicd.worker.state': 'available' })).toBe(1);
    expect(value(points, 'cicd.worker.count', { 'cicd.worker.state': 'offline' })).toBe(0);
    expect(value(points, 'ekiden.supervisor.paused', {})).toBe(0);
  });

  it('turns inventory, image, checks, GitHub calls and runner versions into their gauges', async () => {
    const clock = clockAt(T0);
    rig = await startRig({ clock });
    rig.emit(...aDay());
    clock.t = T0 + 3 * DAY + 5_000;
    const points = await rig.flushPoints();

    expect(value(points, 'ekiden.vm.count', { 'ekiden.vm.owner': 'ekiden', 'ekiden.vm.state': 'running' })).toBe(2);
    expect(value(points, 'ekiden.vm.count', { 'ekiden.vm.owner': 'other', 'ekiden.vm.state': 'stopped' })).toBe(1);
    expect(value(points, 'ekiden.vm.count', { 'ekiden.vm.owner': 'other', 'ekiden.vm.state': 'running' })).toBe(0);
    expect(value(points, 'ekiden.tart.cache.usage', {})).toBe(52e9);
    expect(pointsOf(points, 'ekiden.image.info')).toEqual([
      expect.objectContaining({ value: 1, attributes: { 'host.image.name': REF, 'host.image.id': DIGEST } }),
    ]);
    expect(value(points, 'ekiden.image.pulls', { 'ekiden.pull.result': 'updated', 'host.image.name': REF })).toBe(1);
    expect(value(points, 'ekiden.runner.version.age', { 'ekiden.runner.version': '2.334.0', 'ekiden.runner.latest_version': '2.336.0' })).toBe(3);
    expect(value(points, 'ekiden.github.ratelimit.remaining', { 'ekiden.github.ratelimit.resource': 'core' })).toBe(4986);
    expect(value(points, 'ekiden.github.runner.deletions', { 'ekiden.deletion.reason': 'sweep', 'http.response.status_code': 422 })).toBe(1);
    expect(value(points, 'cicd.system.errors', { 'error.type': 'ip_timeout', 'cicd.system.component': 'guest', 'ekiden.phase': 'ip' })).toBe(1);
    expect(pointsOf(points, 'cicd.system.errors').find((p) => p.attributes['error.type'] === 'host_reboot_needed')?.attributes).toEqual({
      'cicd.system.component': 'host', 'error.type': 'host_reboot_needed',
    });
    const timeout = pointsOf(points, 'http.client.request.duration').find((p) => p.attributes['error.type'] === 'timeout');
    expect(timeout?.attributes).toEqual({ 'http.request.method': 'GET', 'server.address': 'api.github.com', 'url.template': '/orgs/{org}/actions/runners', 'error.type': 'timeout' });
    expect(value(points, 'ekiden.host.check.status', { 'ekiden.check': 'tart_version' })).toBe(0);
    expect(value(points, 'ekiden.host.check.status', { 'ekiden.check': 'disk_space' })).toBe(1);
    expect(value(points, 'ekiden.host.check.status', { 'ekiden.check': 'login_keychain' })).toBe(2);
    expect(value(points, 'ekiden.dhcp.lease_time', {})).toBe(86_400);
    expect(value(points, 'ekiden.dhcp.leases', { 'ekiden.lease.state': 'active' })).toBe(17);
    expect(value(points, 'ekiden.dhcp.leases', { 'ekiden.lease.state': 'expired' })).toBe(4);
    const fs = pointsOf(points, 'system.filesystem.usage');
    expect(fs.map((p) => p.attributes['system.filesystem.state']).sort()).toEqual(['free', 'used']);
    for (const p of fs) {
      expect(p.value).toBeGreaterThan(0);
      expect(String(p.attributes['system.filesystem.mountpoint'])).toMatch(/^\//);
    }
  });

  it('keeps the runner-version "first seen newer" date across restarts', async () => {
    const clock = clockAt(T0);
    rig = await startRig({ clock });
    rig.emit({ type: 'runner.version', at: T0, slot: 0, version: '2.334.0' }, { type: 'runner.latest', at: T0, version: '2.336.0' });
    await rig.tel.shutdown();
    // a restart 10 days later: the same state file, no events yet
    clock.t = T0 + 10 * DAY;
    const again = startTelemetry({
      bus: new EventBus(), logger: nullLogger, clock, endpoint: rig.rx.url, exportIntervalMillis: 200, exportTimeoutMillis: 100,
      resource: { serviceVersion: '0.1.0', instanceId: 'mini-7', githubScope: 'org:acme' }, runnerVersionFile: `${rig.dir}/runner-version.json`,
    });
    try {
      await again.forceFlush();
      const points = newestPoints(rig.rx);
      expect(value(points, 'ekiden.runner.version.age', { 'ekiden.runner.version': '2.334.0' })).toBe(10);
    } finally {
      await again.shutdown(1000);
    }
  });

  it('never puts a secret, VM, runner or job name in a metric attribute', async () => {
    rig = await startRig({ authorization: AUTH });
    rig.emit(...aDay());
    const points = await rig.flushPoints();
    const forbidden = [VM0, VM1, OTHER_VM, 'ekiden-mini-7-0-old1', JOB, TOKEN, AUTH, AUTH.slice(6)];
    for (const p of points) {
      for (const [k, v] of Object.entries(p.attributes)) {
        for (const f of forbidden) expect(String(v), `${p.metric} ${k}`).not.toContain(f);
        if (p.metric !== 'ekiden.image.info') expect(String(v), `${p.metric} ${k}`).not.toContain('sha256:');
      }
      for (const v of Object.values(p.resource)) for (const f of forbidden) expect(String(v)).not.toContain(f);
    }
  });

  it('rejects an export timeout longer than the interval, as the reader would', () => {
    expect(() =>
      startTelemetry({
        bus: new EventBus(), logger: nullLogger, endpoint: 'http://127.0.0.1:9', exportIntervalMillis: 100, exportTimeoutMillis: 200,
        resource: { serviceVersion: '0.1.0', instanceId: 'mini-7', githubScope: 'org:acme' },
      }),
    ).toThrow('exportIntervalMillis must be greater than or equal to exportTimeoutMillis');
  });
});
