import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src-main/core/config/load';
import { parsePlistText, readPlist } from '../../support/plist';

const launchdDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../assets/launchd');
const plistFile = path.join(launchdDir, 'dev.ekiden.agent.plist');
const installer = path.join(launchdDir, 'install-agent.sh');

interface Agent {
  Label: string;
  ProgramArguments: string[];
  RunAtLoad: boolean;
  KeepAlive: unknown;
  LimitLoadToSessionType?: string;
  ExitTimeOut: number;
  EnvironmentVariables: Record<string, string>;
  StandardOutPath: string;
  StandardErrorPath: string;
  UserName?: string;
}

let agent: Agent;
beforeAll(async () => {
  agent = (await readPlist(plistFile)) as Agent;
});

/** Drained stop of the longest job with default timeouts: job, then finishing, stop and delete. */
function drainSeconds(): number {
  const { timeouts } = parseConfig({
    github: { scope: { kind: 'org', org: 'acme' }, auth: { kind: 'pat', token: { env: 'T' } } },
    image: { ref: 'ghcr.io/cirruslabs/macos-sequoia-base:latest' },
    guest: { password: { env: 'P' } },
  });
  return timeouts.job + timeouts.finishing + timeouts.stop + timeouts.delete;
}

describe('the LaunchAgent plist', () => {
  it('runs `ekiden-cli run` from the app bundle as dev.ekiden.agent', () => {
    expect(agent.Label).toBe('dev.ekiden.agent');
    expect(path.basename(plistFile, '.plist')).toBe(agent.Label);
    expect(agent.ProgramArguments).toEqual(['/Applications/Ekiden.app/Contents/MacOS/ekiden-cli', 'run']);
  });

  it('starts at load, restarts after a crash but not after a clean exit (a drain)', () => {
    expect(agent.RunAtLoad).toBe(true);
    expect(agent.KeepAlive).toEqual({ SuccessfulExit: false });
  });

  it('is an agent of the GUI session: no UserName (daemon-only), Aqua sessions only', () => {
    expect(agent.UserName).toBeUndefined();
    expect(agent.LimitLoadToSessionType).toBe('Aqua');
  });

  it('lets SIGTERM drain the longest job before launchd kills it', () => {
    expect(agent.ExitTimeOut).toBeGreaterThanOrEqual(drainSeconds());
  });

  it('sets PATH with Homebrew and leaves HOME to launchd', () => {
    expect(agent.EnvironmentVariables.PATH.split(':')).toContain('/opt/homebrew/bin');
    expect(agent.EnvironmentVariables.HOME).toBeUndefined();
  });

  it('logs under ~/Library/Logs/Ekiden (a placeholder: launchd expands no "~")', () => {
    for (const p of [agent.StandardOutPath, agent.StandardErrorPath]) expect(p).toMatch(/^__HOME__\/Library\/Logs\/Ekiden\/[a-z.]+\.log$/);
    expect(agent.StandardOutPath).not.toBe(agent.StandardErrorPath);
  });

  it('holds no secrets', async () => {
    const text = await readFile(plistFile, 'utf8');
    expect(text).not.toMatch(/TOKEN|PASSWORD|PRIVATE|SECRET/i);
  });
});

describe('install-agent.sh --dry-run', () => {
  const render = async (home: string, ...args: string[]) => {
    const r = await execa('sh', [installer, '--dry-run', ...args], { env: { HOME: home, PATH: process.env.PATH }, cwd: '/tmp' });
    return (await parsePlistText(r.stdout)) as Agent;
  };

  it('fills in the home directory, XML-escaped', async () => {
    const rendered = await render('/Users/ci & <ops>');
    expect(rendered.StandardOutPath).toBe('/Users/ci & <ops>/Library/Logs/Ekiden/ekiden.out.log');
    expect(rendered.StandardErrorPath).toBe('/Users/ci & <ops>/Library/Logs/Ekiden/ekiden.err.log');
    expect({ ...rendered, StandardOutPath: '', StandardErrorPath: '' }).toEqual({ ...agent, StandardOutPath: '', StandardErrorPath: '' });
  });

  it('points a source checkout at bin/ekiden and passes --config as an absolute path', async () => {
    const rendered = await render('/Users/ci', '--source-checkout', '--config', 'ekiden/config.json');
    const checkout = path.resolve(launchdDir, '../..');
    expect(rendered.ProgramArguments).toEqual([path.join(checkout, 'bin/ekiden'), 'run', '--config', '/tmp/ekiden/config.json']);
    const nodeDir = path.dirname((await execa('sh', ['-c', 'command -v node'])).stdout);
    expect(rendered.EnvironmentVariables.PATH.split(':')).toEqual(expect.arrayContaining([nodeDir, '/opt/homebrew/bin']));
  });

  it('refuses a relative program path', async () => {
    const r = await execa('sh', [installer, '--dry-run', '--program', 'bin/ekiden'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('install-agent.sh: the program must be an absolute path');
  });

  it('is valid for bash and dash', async () => {
    for (const shell of ['bash', 'sh']) expect((await execa(shell, ['-n', installer])).exitCode).toBe(0);
  });
});
