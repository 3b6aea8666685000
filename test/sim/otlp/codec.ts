// OTLP protobuf codec for the simulator's receiver (telemetry.md §7).
// Metrics come from otlp-decode's static module (generated/root.js). That module holds only the
// metrics messages, so logs and traces use a reflection schema of the same protos built here.
import { createRequire } from 'node:module';

export type OtlpSignal = 'metrics' | 'logs' | 'traces';

/** The part of a protobufjs message type the receiver uses (static or reflected). */
export interface ProtoType {
  decode(buf: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): object;
  toObject(message: object, options: Record<string, unknown>): Record<string, unknown>;
}

interface ProtobufModule {
  Root: { fromJSON(json: object): { lookupType(name: string): ProtoType } };
}

// otlp-decode has no exports map today, but resolving through its package.json keeps working if one
// appears; protobufjs is its dependency, so it is resolved from there too.
const fromPackage = createRequire(createRequire(import.meta.url).resolve('otlp-decode/package.json'));

interface StaticRoot {
  opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: ProtoType } } } } };
}

let metricsType: ProtoType | undefined;
let reflected: { logs: ProtoType; traces: ProtoType } | undefined;

function metricsRequestType(): ProtoType {
  metricsType ??= (fromPackage('./build/src/generated/root.js') as StaticRoot).opentelemetry.proto.collector.metrics.v1
    .ExportMetricsServiceRequest;
  return metricsType;
}

// --- reflection schema for logs and traces (opentelemetry-proto v1) ---

type Field = { type: string; id: number; rule?: 'repeated' };
const f = (type: string, id: number): Field => ({ type, id });
const many = (type: string, id: number): Field => ({ type, id, rule: 'repeated' });
const msg = (fields: Record<string, Field>, oneofs?: Record<string, { oneof: string[] }>) => ({ fields, ...(oneofs ? { oneofs } : {}) });
const ns = (nested: Record<string, object>) => ({ nested });

const C = 'opentelemetry.proto.common.v1';
const R = 'opentelemetry.proto.resource.v1';

// Enums are declared int32: wire-identical, and toObject keeps them numeric as the static module does.
const OTLP_SCHEMA = ns({
  opentelemetry: ns({
    proto: ns({
      common: ns({
        v1: ns({
          AnyValue: msg(
            {
              stringValue: f('string', 1), boolValue: f('bool', 2), intValue: f('int64', 3), doubleValue: f('double', 4),
              arrayValue: f('ArrayValue', 5), kvlistValue: f('KeyValueList', 6), bytesValue: f('bytes', 7),
            },
            { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          ),
          ArrayValue: msg({ values: many('AnyValue', 1) }),
          KeyValueList: msg({ values: many('KeyValue', 1) }),
          KeyValue: msg({ key: f('string', 1), value: f('AnyValue', 2) }),
          InstrumentationScope: msg({
            name: f('string', 1), version: f('string', 2), attributes: many('KeyValue', 3), droppedAttributesCount: f('uint32', 4),
          }),
        }),
      }),
      resource: ns({
        v1: ns({ Resource: msg({ attributes: many(`${C}.KeyValue`, 1), droppedAttributesCount: f('uint32', 2) }) }),
      }),
      logs: ns({
        v1: ns({
          ResourceLogs: msg({ resource: f(`${R}.Resource`, 1), scopeLogs: many('ScopeLogs', 2), schemaUrl: f('string', 3) }),
          ScopeLogs: msg({ scope: f(`${C}.InstrumentationScope`, 1), logRecords: many('LogRecord', 2), schemaUrl: f('string', 3) }),
          LogRecord: msg({
            timeUnixNano: f('fixed64', 1), observedTimeUnixNano: f('fixed64', 11), severityNumber: f('int32', 2),
            severityText: f('string', 3), body: f(`${C}.AnyValue`, 5), attributes: many(`${C}.KeyValue`, 6),
            droppedAttributesCount: f('uint32', 7), flags: f('fixed32', 8), traceId: f('bytes', 9), spanId: f('bytes', 10),
            eventName: f('string', 12),
          }),
        }),
      }),
      trace: ns({
        v1: ns({
          ResourceSpans: msg({ resource: f(`${R}.Resource`, 1), scopeSpans: many('ScopeSpans', 2), schemaUrl: f('string', 3) }),
          ScopeSpans: msg({ scope: f(`${C}.InstrumentationScope`, 1), spans: many('Span', 2), schemaUrl: f('string', 3) }),
          Span: msg({
            traceId: f('bytes', 1), spanId: f('bytes', 2), traceState: f('string', 3), parentSpanId: f('bytes', 4),
            flags: f('fixed32', 16), name: f('string', 5), kind: f('int32', 6), startTimeUnixNano: f('fixed64', 7),
            endTimeUnixNano: f('fixed64', 8), attributes: many(`${C}.KeyValue`, 9), droppedAttributesCount: f('uint32', 10),
            events: many('Event', 11), droppedEventsCount: f('uint32', 12), links: many('Link', 13),
            droppedLinksCount: f('uint32', 14), status: f('Status', 15),
          }),
          Event: msg({
            timeUnixNano: f('fixed64', 1), name: f('string', 2), attributes: many(`${C}.KeyValue`, 3),
            droppedAttributesCount: f('uint32', 4),
          }),
          Link: msg({
            traceId: f('bytes', 1), spanId: f('bytes', 2), traceState: f('string', 3), attributes: many(`${C}.KeyValue`, 4),
            droppedAttributesCount: f('uint32', 5), flags: f('fixed32', 6),
          }),
          Status: msg({ message: f('string', 2), code: f('int32', 3) }),
        }),
      }),
      collector: ns({
        logs: ns({ v1: ns({ ExportLogsServiceRequest: msg({ resourceLogs: many('opentelemetry.proto.logs.v1.ResourceLogs', 1) }) }) }),
        trace: ns({ v1: ns({ ExportTraceServiceRequest: msg({ resourceSpans: many('opentelemetry.proto.trace.v1.ResourceSpans', 1) }) }) }),
      }),
    }),
  }),
});

function reflectedTypes(): { logs: ProtoType; traces: ProtoType } {
  if (!reflected) {
    const protobuf = fromPackage('protobufjs') as ProtobufModule;
    const root = protobuf.Root.fromJSON(OTLP_SCHEMA);
    reflected = {
      logs: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
      traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    };
  }
  return reflected;
}

/** The Export<Signal>ServiceRequest message type. */
export function requestType(signal: OtlpSignal): ProtoType {
  return signal === 'metrics' ? metricsRequestType() : reflectedTypes()[signal];
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** Trace and span ids as hex, as OTLP/JSON writes them, so both encodings decode alike. */
function idsToHex(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) idsToHex(item);
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const [key, v] of Object.entries(obj)) {
      if (ID_KEYS.has(key) && typeof v === 'string') obj[key] = Buffer.from(v, 'base64').toString('hex');
      else idsToHex(v);
    }
  }
}

/** Decodes an OTLP protobuf request into the camelCase object shape OTLP/JSON uses (64-bit ints as strings). */
export function decodeRequest(signal: OtlpSignal, body: Uint8Array): Record<string, unknown> {
  const type = requestType(signal);
  const object = type.toObject(type.decode(body), { longs: String, bytes: String });
  if (signal !== 'metrics') idsToHex(object);
  return object;
}

/** Encodes a request object (OTLP/JSON field names; ids as base64 or bytes) as protobuf, for tests. */
export function encodeRequest(signal: OtlpSignal, object: Record<string, unknown>): Uint8Array {
  const type = requestType(signal);
  return type.encode(type.fromObject(object)).finish();
}
