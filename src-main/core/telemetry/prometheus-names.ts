// The classic OTLP -> Prometheus name translation (telemetry.md §4, last column): dots become `_`,
// a unit suffix is appended (annotations in braces are dropped), monotonic counters get `_total`.
import { METRICS, type MetricDefinition } from './metric-definitions';

const UNIT_WORDS: Record<string, string> = {
  s: 'seconds', ms: 'milliseconds', d: 'days', h: 'hours', min: 'minutes',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', '%': 'percent',
};

/** The unit's Prometheus word, or '' for annotations like `{job}`. */
export function unitSuffix(unit: string, kind: MetricDefinition['kind']): string {
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  if (bare === '') return '';
  if (bare === '1') return kind === 'observableGauge' ? 'ratio' : '';
  return UNIT_WORDS[bare] ?? bare.replace(/[^a-zA-Z0-9]/g, '_');
}

/** The series name a Prometheus-compatible backend stores the metric under. */
export function prometheusName(metric: MetricDefinition): string {
  let name = metric.name.replace(/[^a-zA-Z0-9_:]/g, '_');
  const suffix = unitSuffix(metric.unit, metric.kind);
  if (suffix && !name.endsWith(`_${suffix}`)) name += `_${suffix}`;
  if (metric.kind === 'counter') name += '_total';
  return name;
}

/** Every series name Ekiden produces: histograms expand into `_bucket`, `_sum` and `_count`. */
export function emittedSeriesNames(metrics: readonly MetricDefinition[] = Object.values(METRICS)): Set<string> {
  const names = new Set<string>();
  for (const m of metrics) {
    const base = prometheusName(m);
    if (m.kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(base + s);
    else names.add(base);
  }
  return names;
}

/** OTLP attribute key -> Prometheus label name. */
export function prometheusLabel(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}
