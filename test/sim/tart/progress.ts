// Tart's progress lines: `NN%`, redrawn with ANSI codes on a terminal, or (with CI set) printed as
// new lines at most once a second with duplicates suppressed.
import type { Ctx } from './ctx';

export class ProgressLine {
  private last = '';
  private lastAt = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly minIntervalMs: number,
  ) {}

  start(): void {
    this.last = '0%';
    this.lastAt = Date.now();
    this.ctx.out('0%');
  }

  update(fraction: number, final = false): void {
    const line = `${Math.floor(100 * Math.min(1, fraction))}%`;
    if (line === this.last) return;
    if (this.ctx.ci) {
      if (!final && Date.now() - this.lastAt < this.minIntervalMs) return;
      this.ctx.out(line);
    } else {
      this.ctx.write(1, `\x1b[1A\r\x1b[J${line}\n`);
    }
    this.last = line;
    this.lastAt = Date.now();
  }
}
