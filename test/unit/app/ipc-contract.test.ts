import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { INVOKE, INVOKE_CHANNELS, PUSH_CHANNELS, isInvokeChannel } from '../../../src-main/ipc/channels';
import { requestSchemas, type InvokeResponses, type PushPayloads } from '../../../src-main/ipc/contract';
import { dispatchInvoke, type InvokeHandlers } from '../../../src-main/ipc/dispatch';
import { applyStatePatch, diffParts } from '../../../src-main/ipc/state-patch';
import type { AppSnapshot } from '../../../src-main/ipc/types';
import { invokeHandlers } from '../../../src-main/app/service/handlers';

/** Handlers that answer with their channel, to see what reached them. */
const echo = new Proxy({}, { get: (_t, channel) => vi.fn((request: unknown) => ({ channel, request })) }) as unknown as InvokeHandlers<null>;

describe('the IPC contract', () => {
  it('names every channel with a concern prefix, and gives each invoke channel a schema and a handler', () => {
    for (const c of [...INVOKE_CHANNELS, ...PUSH_CHANNELS]) expect(c).toMatch(/^[a-z]+:[a-z-]+$/);
    expect(Object.keys(requestSchemas).sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(Object.keys(invokeHandlers).sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(INVOKE_CHANNELS).toEqual(expect.arrayContaining([
      'host:snapshot', 'host:pause', 'host:resume', 'host:stop-now', 'slot:restart', 'logs:tail', 'settings:get', 'settings:validate',
      'settings:save', 'secrets:set', 'doctor:run', 'connection:test', 'app:open-logs-folder', 'renderer:ready',
    ]));
    expect(PUSH_CHANNELS).toEqual(['state:patch', 'logs:append']);
  });

  it('is safe to bundle into the renderer: no Node or Electron import, core types only as types', async () => {
    const dir = path.resolve(__dirname, '../../../src-main/ipc');
    const problems: string[] = [];
    for (const file of await readdir(dir)) {
      const text = await readFile(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/^import (type )?.*from '([^']+)';$/gm)) {
        const [, typeOnly, spec] = m;
        const ok = spec === 'zod' || spec.startsWith('./') || typeOnly || spec === '../core/config/secret-name';
        if (!ok) problems.push(`${file}: ${spec}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('fails to compile when a channel has no contract', () => {
    type Exact<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : { missingOrExtra: Exclude<A, B> | Exclude<B, A> };
    const complete: Exact<(typeof INVOKE)[keyof typeof INVOKE], keyof InvokeResponses> = true;
    const pushes: Exact<(typeof PUSH_CHANNELS)[number], keyof PushPayloads> = true;
    // @ts-expect-error a channel added without a response type is a compile error
    const missing: Exact<(typeof INVOKE)[keyof typeof INVOKE] | 'host:reboot', keyof InvokeResponses> = true;
    expect([complete, pushes, missing]).toEqual([true, true, true]);
  });

  it.each([
    ['host:pause', { now: true }],
    ['host:snapshot', 'please'],
    ['slot:restart', { slot: 2 }],
    ['slot:restart', { slot: '0' }],
    ['slot:restart', {}],
    ['logs:tail', { sinceSeq: -1 }],
    ['logs:tail', { limit: 1e9 }],
    ['logs:tail', { sinceSeq: 1, extra: true }],
    ['settings:save', { input: 'not an object' }],
    ['settings:save', { input: [] }],
    ['settings:validate', undefined],
    ['secrets:set', { name: '../etc/passwd', value: 'x' }],
    ['secrets:set', { name: 'github-token', value: '' }],
    ['secrets:set', { name: 'github-token', value: 'x'.repeat(64 * 1024 + 1) }],
    ['secrets:set', { name: 'github-token' }],
    ['connection:test', { target: 'gitlab' }],
  ])('rejects %s with %j before any handler runs', async (channel, payload) => {
    const answer = await dispatchInvoke(echo, channel, payload, null);
    expect(answer).toMatchObject({ error: { name: 'InvalidRequest', message: expect.stringContaining(channel) } });
  });

  it.each([
    ['host:snapshot', undefined],
    ['slot:restart', { slot: 1 }],
    ['logs:tail', {}],
    ['logs:tail', { sinceSeq: 10, limit: 500 }],
    ['settings:save', { input: { github: {} } }],
    ['secrets:set', { name: 'github-app-key', value: '-----BEGIN PRIVATE KEY-----\n…' }],
    ['connection:test', { target: 'registry' }],
  ])('passes a valid %s request to its handler', async (channel, payload) => {
    const answer = await dispatchInvoke(echo, channel, payload, null);
    expect(answer).toEqual({ result: { channel, request: payload } });
  });

  it('answers an unknown channel with an envelope, not an exception', async () => {
    expect(await dispatchInvoke(echo, 'host:reboot', undefined, null)).toEqual({ error: { name: 'UnknownChannel', message: 'no such channel: host:reboot' } });
    expect(isInvokeChannel('__proto__')).toBe(false);
  });

  it('carries a handler error\'s own name and message, redacted', async () => {
    class ConfigError extends Error {
      override name = 'ConfigError';
    }
    const handlers = { ...echo, 'doctor:run': () => Promise.reject(new ConfigError('token ghp_abcdefghijklmnopqrstuvwxyz0123 is bad')) } as InvokeHandlers<null>;
    const answer = await dispatchInvoke(handlers, 'doctor:run', undefined, null, (t) => t.replace(/ghp_\w+/, '[REDACTED]'));
    expect(answer).toEqual({ error: { name: 'ConfigError', message: 'token [REDACTED] is bad' } });
  });
});

describe('state patches', () => {
  const base: AppSnapshot = {
    rev: 3,
    app: { name: 'Ekiden', version: '1', platform: 'darwin', configPath: '/c', logsDir: '/l', startAtLogin: false },
    service: { status: 'running' },
    host: null,
    recentJobs: [],
    cycles: [],
    health: null,
  };

  it('carry only the parts that changed, and apply in order', () => {
    const changes = diffParts(base, { ...base, service: { status: 'stopping' } });
    expect(changes).toEqual({ service: { status: 'stopping' } });
    expect(diffParts(base, { ...base })).toBeUndefined();
    const next = applyStatePatch(base, { rev: 4, baseRev: 3, changes: changes! });
    expect(next).toEqual({ ...base, rev: 4, service: { status: 'stopping' } });
  });

  it('ignore a patch the renderer already has and report a gap', () => {
    expect(applyStatePatch(base, { rev: 3, baseRev: 2, changes: { host: null } })).toBe(base);
    expect(applyStatePatch(base, { rev: 6, baseRev: 5, changes: { host: null } })).toBeUndefined();
  });
});
