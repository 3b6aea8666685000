// Typed events -> OTLP instruments (telemetry.md §4). Counters and histograms record on the event;
// observables read the last value the events reported (FleetView) at collection time. Attributes
// never carry VM, runner or job names, run ids or digests (except ekiden.image.info).
import type { Attributes, Counter, Histogram, Meter, Observable, ObservableCallback } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS } from '@opentelemetry/semantic-conventions';
import {
  ATTR_CICD_PIPELINE_RESULT,
  ATTR_CICD_SYSTEM_COMPONENT,
  ATTR_CICD_WORKER_STATE,
  ATTR_HOST_IMAGE_ID,
  ATTR_HOST_IMAGE_NAME,
  ATTR_SYSTEM_FILESYSTEM_MOUNTPOINT,
  ATTR_SYSTEM_FILESYSTEM_STATE,
  ATTR_URL_TEMPLATE,
  CICD_WORKER_STATE_VALUE_AVAILABLE,
  CICD_WORKER_STATE_VALUE_BUSY,
  CICD_WORKER_STATE_VALUE_OFFLINE,
  SYSTEM_FILESYSTEM_STATE_VALUE_FREE,
  SYSTEM_FILESYSTEM_STATE_VALUE_USED,
} from '@opentelemetry/semantic-conventions/incubating';
import { componentOf } from '../errors';
import type { EventBus } from '../events/bus';
import { SLOT_STATES, type EkidenEvent, type SlotState } from '../events/types';
import { checkStatusValue } from '../host/preflight';
import { DEFAULT_LEASE_SECONDS } from '../host/dhcp-leases';
import { FleetView } from './fleet-view';
import { volumeUsage } from './filesystem-usage';
import { ATTR, METRICS, SECONDS_BUCKETS, type MetricDefinition } from './metric-definitions';
import type { RunnerVersionAgeTracker } from './runner-version-age';

export interface EventMetricsOptions {
  meter: Meter;
  bus: EventBus;
  /** TART_HOME: its volume is measured at collection. */
  tartHome?: string;
  runnerVersion?: RunnerVersionAgeTracker;
  /** Reports an observable that failed to read (e.g. statfs), so it surfaces once per interval. */
  onCollectError?: (what: string, error: unknown) => void;
}

const WORKER_STATE: Partial<Record<SlotState, string>> = {
  listening: CICD_WORKER_STATE_VALUE_AVAILABLE,
  running: CICD_WORKER_STATE_VALUE_BUSY,
  finishing: CICD_WORKER_STATE_VALUE_BUSY,
};
const WORKER_STATES = [CICD_WORKER_STATE_VALUE_AVAILABLE, CICD_WORKER_STATE_VALUE_BUSY, CICD_WORKER_STATE_VALUE_OFFLINE];
const VM_OWNERS = ['ekiden', 'other'] as const;
const VM_STATES = ['running', 'suspended', 'stopped'] as const;

/** `host/ns/name:tag@sha256:…` -> `host/ns/name:tag` (the digest belongs in host.image.id). */
export function imageName(ref: string): string {
  const at = ref.indexOf('@');
  return at >= 0 ? ref.slice(0, at) : ref;
}

function counter(meter: Meter, m: MetricDefinition): Counter {
  return meter.createCounter(m.name, { unit: m.unit, description: m.description });
}

function histogram(meter: Meter, m: MetricDefinition): Histogram {
  return meter.createHistogram(m.name, {
    unit: m.unit,
    description: m.description,
    advice: m.unit === 's' ? { explicitBucketBoundaries: SECONDS_BUCKETS } : undefined,
  });
}

function observable(meter: Meter, m: MetricDefinition, callback: ObservableCallback): Observable {
  const opts = { unit: m.unit, description: m.description };
  const instrument =
    m.kind === 'observableGauge' ? meter.createObservableGauge(m.name, opts) : meter.createObservableUpDownCounter(m.name, opts);
  instrument.addCallback(callback);
  return instrument;
}

/** Registers every §4 instrument and follows the bus. Returns the unsubscribe. */
export function recordEventMetrics(o: EventMetricsOptions): () => void {
  const { meter, bus } = o;
  const view = new FleetView();
  const stopView = view.follow(bus);
  const stopVersion = o.runnerVersion?.follow(bus);

  const jobs = counter(meter, METRICS.jobs);
  const jobDuration = histogram(meter, METRICS.jobDuration);
  const phaseDuration = histogram(meter, METRICS.phaseDuration);
  const cycleDuration = histogram(meter, METRICS.cycleDuration);
  const systemErrors = counter(meter, METRICS.systemErrors);
  const imagePulls = counter(meter, METRICS.imagePulls);
  const httpDuration = histogram(meter, METRICS.httpClientDuration);
  const deletions = counter(meter, METRICS.runnerDeletions);

  const slot = (n: number) => String(n);
  const record = (e: EkidenEvent): void => {
    switch (e.type) {
      case 'job.completed':
        jobs.add(1, { [ATTR_CICD_PIPELINE_RESULT]: e.result, [ATTR.runnerResult]: e.runnerResult, [ATTR.slot]: slot(e.slot) });
        jobDuration.record(e.seconds, { [ATTR_CICD_PIPELINE_RESULT]: e.result, [ATTR.slot]: slot(e.slot) });
        break;
      case 'phase.completed':
        phaseDuration.record(e.seconds, { [ATTR.phase]: e.phase, [ATTR.outcome]: e.outcome, [ATTR.slot]: slot(e.slot) });
        break;
      case 'cycle.completed':
        cycleDuration.record(e.seconds, { [ATTR.cycleOutcome]: e.outcome, [ATTR.slot]: slot(e.slot) });
        break;
      case 'failure': {
        const attrs: Attributes = { [ATTR_CICD_SYSTEM_COMPONENT]: componentOf(e.reason), [ATTR_ERROR_TYPE]: e.reason };
        if (e.phase) attrs[ATTR.phase] = e.phase;
        systemErrors.add(1, attrs);
        break;
      }
      case 'image.pulled':
        imagePulls.add(1, { [ATTR.pullResult]: e.result, [ATTR_HOST_IMAGE_NAME]: imageName(e.ref) });
        break;
      case 'runner.deleted':
        deletions.add(1, { [ATTR.deletionReason]: e.reason, [ATTR_HTTP_RESPONSE_STATUS_CODE]: e.status });
        break;
      case 'github.call': {
        const attrs: Attributes = {
          [ATTR_HTTP_REQUEST_METHOD]: e.method.toUpperCase(),
          [ATTR_SERVER_ADDRESS]: e.serverAddress,
          [ATTR_URL_TEMPLATE]: e.urlTemplate,
        };
        if (e.status !== null) attrs[ATTR_HTTP_RESPONSE_STATUS_CODE] = e.status;
        if (e.errorType) attrs[ATTR_ERROR_TYPE] = e.errorType;
        httpDuration.record(e.seconds, attrs);
        break;
      }
    }
  };
  const stopRecord = bus.subscribe(record);

  observable(meter, METRICS.slotCount, (r) => {
    const counts = new Map<SlotState, number>(SLOT_STATES.map((s) => [s, 0]));
    for (const s of view.slotStates.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const [state, n] of counts) r.observe(n, { [ATTR.slotState]: state });
  });
  observable(meter, METRICS.workerCount, (r) => {
    const counts = new Map<string, number>(WORKER_STATES.map((s) => [s, 0]));
    for (const s of view.slotStates.values()) {
      const w = WORKER_STATE[s] ?? CICD_WORKER_STATE_VALUE_OFFLINE;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    for (const [state, n] of counts) r.observe(n, { [ATTR_CICD_WORKER_STATE]: state });
  });
  observable(meter, METRICS.supervisorPaused, (r) => r.observe(view.paused || view.draining ? 1 : 0));
  observable(meter, METRICS.imageInfo, (r) => {
    if (view.image) r.observe(1, { [ATTR_HOST_IMAGE_NAME]: imageName(view.image.ref), [ATTR_HOST_IMAGE_ID]: view.image.digest });
  });
  observable(meter, METRICS.vmCount, (r) => {
    if (!view.vms) return;
    for (const owner of VM_OWNERS) {
      for (const state of VM_STATES) {
        const n = view.vms.filter((v) => v.owner === owner && v.state === state).length;
        r.observe(n, { [ATTR.vmOwner]: owner, [ATTR.vmState]: state });
      }
    }
  });
  observable(meter, METRICS.tartCacheUsage, (r) => {
    if (view.ociCacheBytes !== undefined) r.observe(view.ociCacheBytes);
  });
  if (o.tartHome) {
    const tartHome = o.tartHome;
    let mountpoint: string | undefined;
    observable(meter, METRICS.filesystemUsage, async (r) => {
      try {
        const u = await volumeUsage(tartHome, mountpoint);
        mountpoint = u.mountpoint;
        r.observe(u.usedBytes, { [ATTR_SYSTEM_FILESYSTEM_MOUNTPOINT]: u.mountpoint, [ATTR_SYSTEM_FILESYSTEM_STATE]: SYSTEM_FILESYSTEM_STATE_VALUE_USED });
        r.observe(u.freeBytes, { [ATTR_SYSTEM_FILESYSTEM_MOUNTPOINT]: u.mountpoint, [ATTR_SYSTEM_FILESYSTEM_STATE]: SYSTEM_FILESYSTEM_STATE_VALUE_FREE });
      } catch (error) {
        o.onCollectError?.(`free space of ${tartHome}`, error);
      }
    });
  }
  observable(meter, METRICS.runnerVersionAge, (r) => {
    const v = o.runnerVersion?.current();
    if (v) r.observe(v.days, { [ATTR.runnerVersion]: v.version, [ATTR.runnerLatestVersion]: v.latest });
  });
  observable(meter, METRICS.rateLimitRemaining, (r) => {
    for (const [resource, remaining] of view.rateLimits) r.observe(remaining, { [ATTR.rateLimitResource]: resource });
  });
  observable(meter, METRICS.hostCheckStatus, (r) => {
    for (const c of view.checks ?? []) r.observe(checkStatusValue(c.status), { [ATTR.check]: c.id });
  });
  observable(meter, METRICS.dhcpLeaseTime, (r) => {
    const c = view.checks?.find((x) => x.id === 'dhcp_lease_time');
    if (c && c.status !== 'skipped') r.observe(c.value ?? DEFAULT_LEASE_SECONDS);
  });
  observable(meter, METRICS.dhcpLeases, (r) => {
    const c = view.checks?.find((x) => x.id === 'dhcp_leases');
    if (!c || c.status === 'skipped' || !c.values) return;
    r.observe(c.values.active ?? 0, { [ATTR.leaseState]: 'active' });
    r.observe(c.values.expired ?? 0, { [ATTR.leaseState]: 'expired' });
  });

  return () => {
    stopRecord();
    stopView();
    stopVersion?.();
  };
}
