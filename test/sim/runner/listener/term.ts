// Console output like the runner's TermUtil (github.md §10 output rules): stdout unless marked
// stderr, `√ ` green only on a TTY, each line written synchronously (flushed as written).
import { writeSync } from 'node:fs';

/** `{UtcNow:u}`: `YYYY-MM-DD HH:MM:SSZ`. */
export function utcStamp(d = new Date()): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** `yyyyMMdd-HHmmss` for _diag file names. */
export function fileStamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\.\d{3}Z$/, '');
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

export class Term {
  /** Set by the hang fault: nothing more is printed. */
  muted = false;
  private readonly outTty = Boolean(process.stdout.isTTY);
  private readonly errTty = Boolean(process.stderr.isTTY);

  line(text: string): void {
    if (!this.muted) writeAll(1, `${text}\n`);
  }

  blank(): void {
    this.line('');
  }

  stamped(text: string): void {
    this.line(`${utcStamp()}: ${text}`);
  }

  success(text: string): void {
    if (this.muted) return;
    writeAll(1, this.outTty ? `\x1b[32m√ \x1b[0m${text}\n` : `√ ${text}\n`);
  }

  section(title: string): void {
    this.blank();
    this.line(`# ${title}`);
    this.blank();
  }

  error(text: string): void {
    if (this.muted) return;
    writeAll(2, this.errTty ? `\x1b[31m${text}\x1b[0m\n` : `${text}\n`);
  }

  stampedError(text: string): void {
    this.error(`${utcStamp()}: ${text}`);
  }
}
