// `ekiden run` writes its log file (telemetry.md §5.1) and says where, from the first line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main';
import type { CliIo } from '../../src-main/cli/io';
import { startSimHost, type SimHost } from '../sim/host';
import { fastTimeouts } from './support/harness';

const LINE = /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] \[(debug|info|warn|error)\] \[[a-z]+\] slot=(\d+|-) vm=(\S+) job=.+ src=(host|tart|guest|runner) .*$/;

let sim: SimHost | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('ekiden run log file', () => {
  it('names the file first and writes every log event of a cycle to it, redacted', async () => {
    sim = await startSimHost({ slots: 1, configure: fastTimeouts });
    const stdout: string[] = [];
    const io: CliIo = { env: sim.env, stdout: (l) => stdout.push(l), stderr: () => {}, onSignal: () => {} };
    await sim.enqueue(1, { durationMs: 300 });
    const code = await main(['run', '--once', '--config', sim.configPath], io);
    expect(code).toBe(0);

    expect(stdout[0]).toMatch(/^ekiden: logging to (.+main\.log)$/);
    const file = /^ekiden: logging to (.+)$/.exec(stdout[0])![1];
    expect(path.dirname(file)).toBe(process.platform === 'darwin' ? path.join(sim.env.HOME!, 'Library', 'Logs', 'Ekiden') : path.join(sim.stateDir, 'logs'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    for (const l of lines) expect(l).toMatch(LINE);
    expect(lines.some((l) => / \[runner\] slot=0 vm=ekiden-\S+ job=.+ src=runner .*Running job: /.test(l))).toBe(true);
    expect(lines.some((l) => / src=tart /.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/\[app\] slot=- vm=- job=- src=host stopped; no VM or runner registration of ours is left$/);
    const all = readdirSync(path.dirname(file)).map((f) => readFileSync(path.join(path.dirname(file), f), 'utf8')).join('');
    for (const secret of sim.secrets.flatMap((s) => s.split('\n')).filter((s) => s.length > 20)) expect(all).not.toContain(secret);
  });
});
