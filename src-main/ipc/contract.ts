// The IPC contract: for every invoke channel a zod schema of the request (the request type is
// inferred from it) and the response type; for every push channel its payload. Adding a channel to
// channels.ts without a line here fails to compile.
import { z } from 'zod';
import { SECRET_NAME } from '../core/config/secret-name';
import type { InvokeChannel, PushChannel } from './channels';
import type {
  ActionAck,
  AppSnapshot,
  ConnectionReport,
  DoctorReport,
  LogBatch,
  LogEntry,
  OpenedPath,
  ReadyAck,
  SaveResult,
  SecretSetResult,
  SettingsView,
  StatePatch,
  ValidationResult,
} from './types';

/** No payload: the renderer calls `invoke(channel)`. */
const none = z.undefined({ error: 'takes no payload' });

/** A secret is a line or a PEM key, not a file upload. */
export const MAX_SECRET_LENGTH = 64 * 1024;
/** logs:tail never asks for more than the ring buffer holds. */
export const MAX_TAIL = 50_000;

const configInput = z.strictObject({
  input: z.record(z.string(), z.unknown(), { error: 'input must be the configuration object' }),
});

export const requestSchemas = {
  'host:snapshot': none,
  'host:pause': none,
  'host:resume': none,
  'host:stop-now': none,
  'slot:restart': z.strictObject({ slot: z.number().int().min(0).max(1) }),
  'logs:tail': z.strictObject({
    sinceSeq: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(MAX_TAIL).optional(),
  }),
  'settings:get': none,
  'settings:validate': configInput,
  'settings:save': configInput,
  'secrets:set': z.strictObject({
    name: z.string().regex(SECRET_NAME, { error: 'name must be letters, digits, ".", "_" or "-" (at most 100)' }),
    value: z.string().min(1, { error: 'value must not be empty' }).max(MAX_SECRET_LENGTH),
  }),
  'doctor:run': none,
  'connection:test': z.strictObject({ target: z.enum(['github', 'registry', 'guest']) }),
  'app:open-logs-folder': none,
  'renderer:ready': none,
} satisfies { [C in InvokeChannel]: z.ZodType };

export type InvokeRequest<C extends InvokeChannel> = z.infer<(typeof requestSchemas)[C]>;

export interface InvokeResponses {
  'host:snapshot': AppSnapshot;
  'host:pause': ActionAck;
  'host:resume': ActionAck;
  'host:stop-now': ActionAck;
  'slot:restart': ActionAck;
  'logs:tail': LogEntry[];
  'settings:get': SettingsView;
  'settings:validate': ValidationResult;
  'settings:save': SaveResult;
  'secrets:set': SecretSetResult;
  'doctor:run': DoctorReport;
  'connection:test': ConnectionReport;
  'app:open-logs-folder': OpenedPath;
  'renderer:ready': ReadyAck;
}

export type InvokeResponse<C extends InvokeChannel> = InvokeResponses[C];

export interface PushPayloads {
  'state:patch': StatePatch;
  'logs:append': LogBatch;
}

// Compile-time guards: a channel without a contract (or a contract without a channel) is an error.
type Exact<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : { missingOrExtra: Exclude<A, B> | Exclude<B, A> };
export const invokeContractComplete: Exact<InvokeChannel, keyof InvokeResponses> = true;
export const requestSchemasComplete: Exact<InvokeChannel, keyof typeof requestSchemas> = true;
export const pushContractComplete: Exact<PushChannel, keyof PushPayloads> = true;

/**
 * What the preload exposes to the renderer as `window.ekiden`. A page starts like this: subscribe
 * to both pushes, invoke `renderer:ready` (queued pushes arrive), then load `host:snapshot` and
 * `logs:tail` ({sinceSeq: 0}; default limit 5,000). Apply patches with `applyStatePatch` (a gap means
 * load the snapshot again) and log entries with a seq above the last one (a gap means tail again).
 * Unsubscribe with the function `on` returns: across contextBridge a listener passed to `off` may
 * not be the same object any more.
 */
export interface EkidenApi {
  invoke<C extends InvokeChannel>(
    channel: C,
    ...request: InvokeRequest<C> extends undefined ? [] : [InvokeRequest<C>]
  ): Promise<InvokeResponse<C>>;
  /** Subscribes to a push channel; returns the unsubscribe. */
  on<P extends PushChannel>(channel: P, listener: (payload: PushPayloads[P]) => void): () => void;
  off<P extends PushChannel>(channel: P, listener: (payload: PushPayloads[P]) => void): void;
}
