// Every channel between main and the renderer, prefixed by concern. No imports: the preload bundles
// this file alone. The contract (contract.ts) must give each channel its types.

/** Request/response channels the renderer invokes. */
export const INVOKE = {
  hostSnapshot: 'host:snapshot',
  hostPause: 'host:pause',
  hostResume: 'host:resume',
  hostStopNow: 'host:stop-now',
  slotRestart: 'slot:restart',
  logsTail: 'logs:tail',
  settingsGet: 'settings:get',
  settingsValidate: 'settings:validate',
  settingsSave: 'settings:save',
  secretsSet: 'secrets:set',
  doctorRun: 'doctor:run',
  connectionTest: 'connection:test',
  appOpenLogsFolder: 'app:open-logs-folder',
  rendererReady: 'renderer:ready',
} as const;

/** Channels main pushes to the renderer (batched, queued until `renderer:ready`). */
export const PUSH = {
  statePatch: 'state:patch',
  logsAppend: 'logs:append',
} as const;

export type InvokeChannel = (typeof INVOKE)[keyof typeof INVOKE];
export type PushChannel = (typeof PUSH)[keyof typeof PUSH];

export const INVOKE_CHANNELS: readonly InvokeChannel[] = Object.values(INVOKE);
export const PUSH_CHANNELS: readonly PushChannel[] = Object.values(PUSH);

const invokeSet: ReadonlySet<string> = new Set(INVOKE_CHANNELS);
const pushSet: ReadonlySet<string> = new Set(PUSH_CHANNELS);

export const isInvokeChannel = (c: unknown): c is InvokeChannel => typeof c === 'string' && invokeSet.has(c);
export const isPushChannel = (c: unknown): c is PushChannel => typeof c === 'string' && pushSet.has(c);
