// What every command gets: TART_HOME, the env it was spawned with, and synchronous line output
// (Tart's stdout is line-buffered; synchronous writes keep the order across streams and exits).
import fs from 'node:fs';
import type { TartHome } from './home';

export interface Ctx {
  home: TartHome;
  env: NodeJS.ProcessEnv;
  /** CI present: progress as plain new lines. */
  ci: boolean;
  out(line: string): void;
  err(line: string): void;
  /** Raw bytes (exec passthrough, ANSI progress). */
  write(fd: 1 | 2, data: string | Buffer): void;
}

export function writeAll(fd: number, data: string | Buffer): void {
  let buf = typeof data === 'string' ? Buffer.from(data) : data;
  while (buf.length > 0) {
    try {
      const n = fs.writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') return;
      throw e;
    }
  }
}

export function makeCtx(home: TartHome, env: NodeJS.ProcessEnv): Ctx {
  return {
    home,
    env,
    ci: env.CI !== undefined,
    out: (line) => writeAll(1, line + '\n'),
    err: (line) => writeAll(2, line + '\n'),
    write: (fd, data) => writeAll(fd, data),
  };
}

/** Env keys the tests look at; secrets are recorded as present/absent only. */
const RECORDED_ENV = ['HOME', 'PATH', 'TART_HOME', 'CI', 'TART_NO_AUTO_PRUNE', 'TART_REGISTRY_HOSTNAME', 'TART_REGISTRY_USERNAME'];
const SECRET_ENV = ['TART_REGISTRY_PASSWORD'];

export interface InvocationStart {
  id: string;
  pid: number;
  argv: string[];
  env: Record<string, string>;
  present: Record<string, boolean>;
  envKeys: string[];
  startedAt: number;
}

export interface InvocationEnd {
  id: string;
  exitCode: number;
  endedAt: number;
}

export function recordStart(home: TartHome, argv: string[], env: NodeJS.ProcessEnv): string {
  const id = `${process.pid}-${Date.now()}`;
  const rec: InvocationStart = {
    id,
    pid: process.pid,
    argv,
    env: Object.fromEntries(RECORDED_ENV.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!])),
    present: Object.fromEntries([...RECORDED_ENV, ...SECRET_ENV].map((k) => [k, env[k] !== undefined])),
    envKeys: Object.keys(env).sort(),
    startedAt: Date.now(),
  };
  appendLog(home, { start: rec });
  return id;
}

export function recordEnd(home: TartHome, id: string, exitCode: number): void {
  appendLog(home, { end: { id, exitCode, endedAt: Date.now() } satisfies InvocationEnd });
}

function appendLog(home: TartHome, rec: unknown): void {
  try {
    fs.mkdirSync(home.simDir, { recursive: true });
    fs.appendFileSync(home.sim('invocations.jsonl'), JSON.stringify(rec) + '\n');
  } catch {
    /* logging never changes tart's behaviour */
  }
}
