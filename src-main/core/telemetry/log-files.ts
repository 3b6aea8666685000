// Rotating log files (telemetry.md §5.1) on electron-log's file transport. electron-log/node needs no
// Electron, and the app configures electron-log/main's file transport with the same function, so
// CLI and app write identical files: one redacted line per event, 0600, archives
// main.<yyyyMMdd-HHmmss>.log, the newest few kept.
import { chmodSync, mkdirSync, readdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import electronLog from 'electron-log/node';
import type { FileTransport, Hook, LogMessage, Logger as ElectronLogger } from 'electron-log';
import type { EventBus } from '../events/bus';
import type { LogEntry } from '../events/types';
import type { LogContext, LogLevel, LogSource } from '../util/logger';
import { formatLogLine } from './log-line';

export const LOG_FILE_NAME = 'main.log';
export const DEFAULT_MAX_LOG_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_ARCHIVES = 5;

export interface LogFileSettings {
  /** Directory of main.log and its archives (created 0700). */
  dir: string;
  /** Applied to everything not already redacted by the ring buffer. */
  redact: (text: string) => string;
  /** Rotate when main.log exceeds this. Default 10 MB. */
  maxSizeBytes?: number;
  /** Archives kept; older ones are deleted. Default 5. */
  maxArchives?: number;
  /** Lowest level written. Default info. */
  level?: LogLevel;
  /** Archive names use this time (tests). */
  now?: () => number;
}

/** Where the CLI writes: the macOS logs folder the app uses, else `<stateDir>/logs`. */
export function defaultLogDir(o: { platform?: NodeJS.Platform; home?: string; stateDir: string }): string {
  const platform = o.platform ?? process.platform;
  if (platform === 'darwin') return path.join(o.home ?? os.homedir(), 'Library', 'Logs', 'Ekiden');
  return path.join(o.stateDir, 'logs');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `yyyyMMdd-HHmmss`, local time. */
export function archiveStamp(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** main.20250102-030405.log, or main.20250102-030405-2.log for a second rotation in that second. */
export function archivePattern(base: string): RegExp {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}\\.(\\d{8}-\\d{6})(?:-(\\d+))?\\.log$`);
}

/** The archives of `base` in `dir`, oldest first. */
export function listArchives(dir: string, base = 'main'): string[] {
  const pattern = archivePattern(base);
  return readdirSync(dir)
    .map((name) => ({ name, m: pattern.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => a.m[1].localeCompare(b.m[1]) || Number(a.m[2] ?? 0) - Number(b.m[2] ?? 0))
    .map((x) => x.name);
}

/** Renames the full log to its archive name and deletes archives beyond `keep`, synchronously. */
export function archiveLog(file: string, keep: number, now: number): string {
  const dir = path.dirname(file);
  const base = path.basename(file, '.log');
  const stamp = archiveStamp(now);
  let target = path.join(dir, `${base}.${stamp}.log`);
  for (let n = 2; existsSync(target); n++) target = path.join(dir, `${base}.${stamp}-${n}.log`);
  renameSync(file, target);
  const archives = listArchives(dir, base);
  for (const old of archives.slice(0, Math.max(0, archives.length - keep))) rmSync(path.join(dir, old), { force: true });
  return target;
}

/** The fields of a line, carried through electron-log in the message's variables. */
interface LineVariables {
  slot?: number;
  vm?: string;
  job?: string;
  src?: LogSource;
  /** Set for ring-buffer entries, which are redacted already. */
  redacted?: boolean;
}

const fieldsOf = (message: LogMessage): LineVariables => (message.variables?.ekiden as LineVariables | undefined) ?? {};

/** A hook that redacts every message the file transport receives, unless it is redacted already. */
export function redactionHook(redact: (text: string) => string): Hook {
  return (message, _transport, name) => {
    if (name !== 'file' || fieldsOf(message).redacted) return message;
    return { ...message, data: [redact(format(...message.data))] };
  };
}

/** Configures an electron-log file transport (CLI: electron-log/node; app: electron-log/main). */
export function configureFileTransport(file: FileTransport, s: LogFileSettings): void {
  const keep = s.maxArchives ?? DEFAULT_LOG_ARCHIVES;
  const now = s.now ?? Date.now;
  file.level = s.level ?? 'info';
  file.maxSize = s.maxSizeBytes ?? DEFAULT_MAX_LOG_BYTES;
  file.sync = true;
  file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  file.resolvePathFn = () => path.join(s.dir, LOG_FILE_NAME);
  file.archiveLogFn = (old) => {
    archiveLog(old.path, keep, now());
  };
  file.transforms = [
    ({ message }: { message: LogMessage }) => {
      const v = fieldsOf(message);
      return formatLogLine({
        ts: message.date.getTime(),
        level: message.level,
        scope: message.scope || 'app',
        source: v.src ?? 'host',
        slot: v.slot,
        vm: v.vm,
        job: v.job,
        text: format(...message.data),
      });
    },
  ];
}

let instances = 0;

/** The CLI's log files: follows the bus's log events, and takes other lines through `write`. */
export class LogFiles {
  readonly path: string;
  private readonly logger: ElectronLogger;

  /** `logger`: the app passes electron-log/main's logger, so renderer lines reach the same file. */
  constructor(settings: LogFileSettings, logger?: ElectronLogger) {
    mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
    this.path = path.join(settings.dir, LOG_FILE_NAME);
    // An existing file may predate the 0600 rule; the mode option applies only on creation.
    if (existsSync(this.path)) chmodSync(this.path, 0o600);
    this.logger = logger ?? electronLog.create({ logId: `ekiden-files-${process.pid}-${++instances}` });
    // Our own logger writes the file only; a logger passed in keeps its other transports.
    if (!logger) {
      for (const name of Object.keys(this.logger.transports)) {
        if (name !== 'file' && this.logger.transports[name]) this.logger.transports[name]!.level = false;
      }
    }
    configureFileTransport(this.logger.transports.file as FileTransport, settings);
    this.logger.hooks.push(redactionHook(settings.redact));
  }

  /** A ring-buffer entry (already redacted). */
  writeEntry(entry: Omit<LogEntry, 'seq'>): void {
    this.send(entry.level, entry.text, entry.ts, entry.scope, { slot: entry.slot, vm: entry.vm, job: entry.job, src: entry.source, redacted: true });
  }

  /** Any other line: redacted before it is written. */
  write(level: LogLevel, text: string, ctx: LogContext = {}): void {
    this.send(level, text, Date.now(), ctx.scope ?? 'app', { slot: ctx.slot, vm: ctx.vm, job: ctx.job, src: ctx.source ?? 'host' });
  }

  /** Writes every log event of the bus. Returns the unsubscribe. */
  follow(bus: EventBus): () => void {
    return bus.on('log', (e) => this.writeEntry(e.entry));
  }

  private send(level: LogLevel, text: string, ts: number, scope: string, fields: LineVariables): void {
    this.logger.processMessage({ data: [text], level, date: new Date(ts), scope, variables: { processType: 'main', ekiden: fields } });
  }
}
