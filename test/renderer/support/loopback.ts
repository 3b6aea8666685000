// The renderer's API served in-process by the real bridge services: the same dispatch, handlers and
// push gate as the web bridge, with JSON round trips standing in for the socket.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ReadManagedOptions } from '../../../src-main/core/config/managed';
import type { EkidenConfigInput } from '../../../src-main/core/config/schema';
import { PushGate } from '../../../src-main/app/service/push-gate';
import { invokeHandlers } from '../../../src-main/app/service/handlers';
import type { PushChannel } from '../../../src-main/ipc/channels';
import type { EkidenApi } from '../../../src-main/ipc/contract';
import { dispatchInvoke } from '../../../src-main/ipc/dispatch';
import { unwrap, type Envelope } from '../../../src-main/ipc/envelope';
import { createBridgeServices, type BridgeServices } from '../../../src-main/web-bridge/services';

export interface Loopback {
  api: EkidenApi;
  services: BridgeServices;
  dir: string;
  /** Drops pushes for which this returns true (to simulate a lost batch). */
  dropPush?: (channel: PushChannel, payload: unknown) => boolean;
  close(): Promise<void>;
}

/** A configuration the schema accepts; nothing is started from it unless a test starts the controller. */
export function sampleConfig(dir: string): EkidenConfigInput {
  return {
    hostId: 'test-mini',
    github: { scope: { kind: 'org', org: 'octo-org' }, auth: { kind: 'app', appId: 1, privateKey: { file: path.join(dir, 'key.pem') } } },
    image: { ref: 'ghcr.io/cirruslabs/macos-sequoia-xcode:latest' },
    guest: { password: { file: path.join(dir, 'pw') } },
  };
}

export async function startLoopback(opts: { config?: (dir: string) => EkidenConfigInput | undefined; managed?: (dir: string) => Promise<ReadManagedOptions> } = {}): Promise<Loopback> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ekiden-renderer-'));
  const configFile = path.join(dir, 'config.json');
  const config = (opts.config ?? sampleConfig)(dir);
  if (config) await writeFile(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
  await writeFile(path.join(dir, 'pw'), 'admin', { mode: 0o600 });
  const services = createBridgeServices({ configFile, stateDir: path.join(dir, 'state'), env: { HOME: dir }, managed: await opts.managed?.(dir) });
  const listeners = new Map<PushChannel, Set<(p: never) => void>>();
  const loop: Loopback = { api: undefined as never, services, dir, close: async () => {} };
  const gate = new PushGate((channel, payload) => {
    if (loop.dropPush?.(channel, payload)) return;
    const copy = JSON.parse(JSON.stringify(payload)) as never;
    for (const l of [...(listeners.get(channel) ?? [])]) l(copy);
  });
  const unsubscribe = services.subscribe((c, p) => gate.send(c, p));
  const context = services.contextFor({ ready: () => gate.ready() });
  loop.api = {
    async invoke(channel: string, ...request: unknown[]) {
      const answer = await dispatchInvoke(invokeHandlers, channel, JSON.parse(JSON.stringify(request[0] ?? null)) ?? undefined, context);
      return unwrap(JSON.parse(JSON.stringify(answer)) as Envelope<unknown>);
    },
    on(channel: PushChannel, l: (p: never) => void) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
      return () => listeners.get(channel)?.delete(l);
    },
    off(channel: PushChannel, l: (p: never) => void) {
      listeners.get(channel)?.delete(l);
    },
  } as unknown as EkidenApi;
  loop.close = async () => {
    unsubscribe();
    await services.stop('now');
    await rm(dir, { recursive: true, force: true });
  };
  return loop;
}
