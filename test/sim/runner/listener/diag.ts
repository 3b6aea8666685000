// _diag/Runner_<yyyyMMdd-HHmmss>-utc.log: one `[<ts> INFO Runner] …` line per state change.
// Never given secrets (JIT configs, tokens, session secrets).
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileStamp, utcStamp } from './term';

export class Diag {
  readonly file: string;
  muted = false;

  constructor(root: string, kind: 'Runner' | 'Worker' = 'Runner') {
    const dir = path.join(root, '_diag');
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${kind}_${fileStamp()}-utc.log`);
  }

  info(text: string, component = 'Runner'): void {
    if (this.muted) return;
    try {
      appendFileSync(this.file, `[${utcStamp()} INFO ${component}] ${text}\n`);
    } catch {
      // Diagnostics must never take the runner down.
    }
  }
}
