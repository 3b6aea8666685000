import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoreLogger } from '../../../src-main/core/ekiden-host';
import { EventBus } from '../../../src-main/core/events/bus';
import { LogBuffer } from '../../../src-main/core/telemetry/log-buffer';
import { defaultLogDir, LogFiles } from '../../../src-main/core/telemetry/log-files';
import { Redactor } from '../../../src-main/core/telemetry/redact';
import { systemClock } from '../../../src-main/core/util/clock';

const LINE = /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] \[(debug|info|warn|error)\] \[[a-z]+\] slot=(\d+|-) vm=(\S+) job=.+ src=(host|tart|guest|runner) .*$/;
const ARCHIVE = /^main\.\d{8}-\d{6}(-\d+)?\.log$/;
const STAMP_BASE = new Date(2025, 6, 14, 9, 30, 0).getTime();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ekiden-logs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const logDir = () => path.join(dir, 'logs');
const readAll = () => readdirSync(logDir()).map((f) => readFileSync(path.join(logDir(), f), 'utf8')).join('');
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const mode = (file: string) => statSync(file).mode & 0o777;

/** The core's logging path: logger -> redacting ring buffer -> log event on the bus -> file. */
function corePipeline(redactor: Redactor, settings: Partial<ConstructorParameters<typeof LogFiles>[0]> = {}) {
  const bus = new EventBus();
  const files = new LogFiles({ dir: logDir(), redact: (t) => redactor.redact(t), ...settings });
  const stop = files.follow(bus);
  const logger = createCoreLogger(bus, new LogBuffer({ redact: (t) => redactor.redact(t) }), systemClock);
  return { bus, files, stop, logger };
}

describe('log files', () => {
  it('write one §5.1 line per log event', () => {
    const { files, logger, stop } = corePipeline(new Redactor());
    logger.log('info', 'Listening for Jobs', { scope: 'runner', source: 'runner', slot: 1, vm: 'ekiden-mini-7-1-z8q2' });
    logger.log('warn', '\x1b[33mdisk almost full\x1b[0m', { scope: 'core' });
    logger.log('info', 'Job build completed with result: Succeeded', { scope: 'runner', source: 'runner', slot: 0, vm: 'ekiden-mini-7-0-k3p9', job: 'build' });
    files.write('info', 'ekiden: 2 slot(s) on host "mini-7"', { scope: 'app' });
    logger.log('debug', 'request GET /orgs/acme/actions/runners', { scope: 'github' });
    stop();
    logger.log('info', 'after unsubscribe', { scope: 'core' });

    const written = lines(files.path);
    expect(written).toHaveLength(4);
    for (const l of written) expect(l).toMatch(LINE);
    expect(written.map((l) => l.slice(l.indexOf('] [') + 2))).toEqual([
      '[info] [runner] slot=1 vm=ekiden-mini-7-1-z8q2 job=- src=runner Listening for Jobs',
      '[warn] [core] slot=- vm=- job=- src=host disk almost full',
      '[info] [runner] slot=0 vm=ekiden-mini-7-0-k3p9 job=build src=runner Job build completed with result: Succeeded',
      '[info] [app] slot=- vm=- job=- src=host ekiden: 2 slot(s) on host "mini-7"',
    ]);
    expect(mode(files.path)).toBe(0o600);
    expect(mode(logDir())).toBe(0o700);
  });

  it('never write a registered secret, whichever path the line takes', () => {
    const redactor = new Redactor();
    const jit = Buffer.from(JSON.stringify({ '.runner': 'x'.repeat(120), '.credentials': 'y'.repeat(90) })).toString('base64');
    const password = 'correct-horse-battery-staple';
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    const otlp = 'Basic OTg3NjU0OmdsY19hYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM=';
    for (const s of [jit, password, pem, otlp]) redactor.register(s);
    const { files, logger } = corePipeline(redactor, { maxSizeBytes: 600, now: () => STAMP_BASE });
    for (let i = 0; i < 10; i++) {
      logger.log('info', `starting runner with ${jit}`, { scope: 'guest', source: 'guest', slot: 0 });
      logger.log('warn', `ssh password ${password} refused`, { scope: 'guest', source: 'guest' });
      files.write('error', `key ${pem}`, { scope: 'app' });
      files.write('warn', `headers {"Authorization":"${otlp}"} and ${password}`, { scope: 'otel' });
    }
    const text = readAll();
    expect(readdirSync(logDir()).length).toBeGreaterThan(1);
    for (const s of [jit, password, otlp, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'OTg3NjU0OmdsY19']) expect(text).not.toContain(s);
    expect(text).toContain('[REDACTED]');
  });

  it('rotate at the size cap into main.<yyyyMMdd-HHmmss>.log and keep the newest 5', () => {
    let t = STAMP_BASE;
    const files = new LogFiles({ dir: logDir(), redact: (s) => s, maxSizeBytes: 1_000, now: () => (t += 1_000) });
    for (let i = 0; i < 200; i++) files.write('info', `line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}`, { scope: 'core' });

    const names = readdirSync(logDir()).sort();
    const archives = names.filter((n) => n !== 'main.log');
    expect(names).toContain('main.log');
    expect(archives).toHaveLength(5);
    for (const a of archives) expect(a).toMatch(ARCHIVE);
    // archives are named by rotation time: the five kept are the five newest rotations
    const rotations = Math.round((t - STAMP_BASE) / 1_000);
    const stamp = (k: number) => {
      const d = new Date(STAMP_BASE + k * 1_000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `main.${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.log`;
    };
    expect(archives).toEqual(Array.from({ length: 5 }, (_, i) => stamp(rotations - 4 + i)));
    // no line lost at the tail: the kept files hold a contiguous run ending with the last line
    const kept = [...archives, 'main.log'].flatMap((f) => lines(path.join(logDir(), f)));
    const numbers = kept.map((l) => Number(/ line (\d+) /.exec(l)![1]));
    expect(numbers.at(-1)).toBe(199);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
    for (const f of names) {
      expect(statSync(path.join(logDir(), f)).size).toBeLessThan(1_000 + 200);
      expect(mode(path.join(logDir(), f))).toBe(0o600);
    }
  });

  it('number rotations within one second and still keep only 5', () => {
    const files = new LogFiles({ dir: logDir(), redact: (s) => s, maxSizeBytes: 300, now: () => STAMP_BASE, maxArchives: 5 });
    for (let i = 0; i < 60; i++) files.write('info', `line ${i} ${'y'.repeat(40)}`, { scope: 'core' });
    const archives = readdirSync(logDir()).filter((n) => n !== 'main.log').sort();
    expect(archives).toHaveLength(5);
    for (const a of archives) expect(a).toMatch(/^main\.20250714-093000-\d+\.log$/);
  });

  it('tighten an existing log file to 0600', () => {
    const file = path.join(logDir(), 'main.log');
    mkdirSync(logDir());
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o644);
    const files = new LogFiles({ dir: logDir(), redact: (s) => s });
    files.write('info', 'new', { scope: 'core' });
    expect(mode(file)).toBe(0o600);
    expect(lines(file)[0]).toBe('old');
  });

  it('live in ~/Library/Logs/Ekiden on macOS, else under the state directory', () => {
    expect(defaultLogDir({ platform: 'darwin', home: '/Users/ci', stateDir: '/x/state' })).toBe('/Users/ci/Library/Logs/Ekiden');
    expect(defaultLogDir({ platform: 'linux', home: '/home/ci', stateDir: '/x/state' })).toBe('/x/state/logs');
  });
});
