// Flat views of decoded OTLP requests, so telemetry tests assert on names, attributes and values
// without walking resourceMetrics/scopeMetrics/dataPoints by hand.
import type { ExportMetricsServiceRequest, Int64, OtlpAnyValue, OtlpKeyValue } from './otlp-types';

export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue } | null;

const int = (v: Int64 | undefined): number | undefined => (v === undefined ? undefined : Number(v));

export function anyValue(v: OtlpAnyValue | undefined): AttributeValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue) return attributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

/** `[{key, value: {stringValue}}]` -> `{key: value}` */
export function attributes(kvs: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of kvs ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

export interface MetricPoint {
  metric: string;
  unit: string;
  kind: 'sum' | 'gauge' | 'histogram' | 'other';
  /** Sums only; absent in protobuf means false. */
  monotonic?: boolean;
  /** 1 = delta, 2 = cumulative. */
  temporality?: number;
  resource: Record<string, AttributeValue>;
  scope: string;
  attributes: Record<string, AttributeValue>;
  /** Sum and gauge points. */
  value?: number;
  /** Histogram points. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  bounds?: number[];
}

/** Every data point of an export request, one row each. */
export function metricPoints(request: ExportMetricsServiceRequest): MetricPoint[] {
  const rows: MetricPoint[] = [];
  for (const rm of request.resourceMetrics ?? []) {
    const resource = attributes(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      const scope = sm.scope?.name ?? '';
      for (const m of sm.metrics ?? []) {
        const base = { metric: m.name, unit: m.unit ?? '', resource, scope };
        if (m.sum) {
          for (const p of m.sum.dataPoints ?? []) {
            rows.push({
              ...base, kind: 'sum', monotonic: m.sum.isMonotonic ?? false, temporality: m.sum.aggregationTemporality,
              attributes: attributes(p.attributes), value: p.asDouble ?? int(p.asInt),
            });
          }
        } else if (m.gauge) {
          for (const p of m.gauge.dataPoints ?? []) {
            rows.push({ ...base, kind: 'gauge', attributes: attributes(p.attributes), value: p.asDouble ?? int(p.asInt) });
          }
        } else if (m.histogram) {
          for (const p of m.histogram.dataPoints ?? []) {
            rows.push({
              ...base, kind: 'histogram', temporality: m.histogram.aggregationTemporality, attributes: attributes(p.attributes),
              count: int(p.count), sum: p.sum, bucketCounts: (p.bucketCounts ?? []).map(Number), bounds: p.explicitBounds ?? [],
            });
          }
        } else {
          rows.push({ ...base, kind: 'other', attributes: {} });
        }
      }
    }
  }
  return rows;
}
