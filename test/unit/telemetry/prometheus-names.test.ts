import { describe, expect, it } from 'vitest';
import { METRICS } from '../../../src-main/core/telemetry/metric-definitions';
import { emittedSeriesNames, prometheusName } from '../../../src-main/core/telemetry/prometheus-names';

/** telemetry.md §4: metric -> its Prometheus name (the table's last column). */
const SPEC_TABLE: [string, string][] = [
  ['cicd.worker.count', 'cicd_worker_count'],
  ['ekiden.slot.count', 'ekiden_slot_count'],
  ['ekiden.supervisor.paused', 'ekiden_supervisor_paused'],
  ['ekiden.jobs', 'ekiden_jobs_total'],
  ['ekiden.job.duration', 'ekiden_job_duration_seconds'],
  ['ekiden.phase.duration', 'ekiden_phase_duration_seconds'],
  ['ekiden.cycle.duration', 'ekiden_cycle_duration_seconds'],
  ['cicd.system.errors', 'cicd_system_errors_total'],
  ['ekiden.image.pulls', 'ekiden_image_pulls_total'],
  ['ekiden.image.info', 'ekiden_image_info'],
  ['ekiden.vm.count', 'ekiden_vm_count'],
  ['system.filesystem.usage', 'system_filesystem_usage_bytes'],
  ['ekiden.tart.cache.usage', 'ekiden_tart_cache_usage_bytes'],
  ['ekiden.runner.version.age', 'ekiden_runner_version_age_days'],
  ['http.client.request.duration', 'http_client_request_duration_seconds'],
  ['ekiden.github.ratelimit.remaining', 'ekiden_github_ratelimit_remaining'],
  ['ekiden.github.runner.deletions', 'ekiden_github_runner_deletions_total'],
  ['ekiden.host.check.status', 'ekiden_host_check_status'],
  ['ekiden.dhcp.lease_time', 'ekiden_dhcp_lease_time_seconds'],
  ['ekiden.dhcp.leases', 'ekiden_dhcp_leases'],
];

describe('OTLP -> Prometheus names', () => {
  it('defines exactly the metrics of the §4 table', () => {
    expect(Object.values(METRICS).map((m) => m.name).sort()).toEqual(SPEC_TABLE.map(([n]) => n).sort());
  });

  it.each(SPEC_TABLE)('%s is stored as %s', (name, prom) => {
    const metric = Object.values(METRICS).find((m) => m.name === name)!;
    expect(prometheusName(metric)).toBe(prom);
  });

  it('never writes a unit or _total into an OTLP name (semconv naming)', () => {
    for (const m of Object.values(METRICS)) {
      expect(m.name).not.toMatch(/_total$|_seconds$|_bytes$|\.seconds$|\.bytes$/);
      if (m.kind === 'histogram') expect(m.unit).toBe('s');
    }
  });

  it('expands histograms into their _bucket, _sum and _count series', () => {
    const names = emittedSeriesNames();
    expect(names.has('ekiden_job_duration_seconds_bucket')).toBe(true);
    expect(names.has('ekiden_job_duration_seconds_count')).toBe(true);
    expect(names.has('ekiden_job_duration_seconds')).toBe(false);
    expect(names.has('ekiden_jobs_total')).toBe(true);
  });
});
