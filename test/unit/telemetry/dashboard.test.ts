// Every metric the Grafana dashboard queries must be one Ekiden emits: the emitted set is derived
// from the metric definitions and the OTLP -> Prometheus translation, not listed again here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emittedSeriesNames } from '../../../src-main/core/telemetry/prometheus-names';

const DASHBOARD = path.resolve(import.meta.dirname, '../../../assets/grafana/dashboard.json');

interface Panel {
  type: string;
  title: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan']);

/** The metric names a PromQL expression selects. */
function metricNamesIn(expr: string): string[] {
  const e = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\$\{?\w+\}?/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names: string[] = [];
  for (const m of e.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = e.slice(m.index! + m[0].length).trimStart();
    if (rest.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
};
const exprs = allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
const variableQueries = dashboard.templating.list.map((v) => (typeof v.query === 'object' ? v.query.query : v.query ?? ''));
const queried = new Set([
  ...exprs.flatMap(metricNamesIn),
  ...variableQueries.flatMap((q) => [...q.matchAll(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/g)].map((m) => m[1])),
]);

describe('Grafana dashboard', () => {
  it('extracts metric names from PromQL', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, ekiden_phase) (rate(ekiden_phase_duration_seconds_bucket{instance=~"$host"}[$__rate_interval])))')).toEqual([
      'ekiden_phase_duration_seconds_bucket',
    ]);
    expect(metricNamesIn('sum(ekiden_supervisor_paused{instance=~"$host"}) > 0 or vector(0)')).toEqual(['ekiden_supervisor_paused']);
  });

  it('queries only metrics Ekiden emits', () => {
    expect(exprs.length).toBeGreaterThan(0);
    const emitted = emittedSeriesNames();
    expect([...queried].filter((n) => !emitted.has(n))).toEqual([]);
  });

  it('has the panels of §4.3', () => {
    for (const name of [
      'ekiden_slot_count', 'ekiden_jobs_total', 'ekiden_job_duration_seconds_bucket', 'ekiden_phase_duration_seconds_bucket',
      'cicd_system_errors_total', 'system_filesystem_usage_bytes', 'ekiden_supervisor_paused', 'ekiden_runner_version_age_days',
      'ekiden_image_info',
    ]) {
      expect(queried, name).toContain(name);
    }
    expect(exprs.some((e) => /cicd_system_errors_total/.test(e) && /by \(error_type\)/.test(e))).toBe(true);
    expect(exprs.some((e) => /ekiden_slot_count/.test(e) && /ekiden_slot_state/.test(e))).toBe(true);
    expect(exprs.some((e) => /system_filesystem_usage_bytes\{system_filesystem_state="free"/.test(e))).toBe(true);
  });

  it('selects hosts by the instance label (service.instance.id)', () => {
    expect(variableQueries).toContain('label_values(ekiden_slot_count, instance)');
    for (const e of exprs) expect(e, e).toMatch(/instance=~"\$host"/);
  });
});
