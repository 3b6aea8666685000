// `ekiden.runner.version.age`: days since a runner newer than the image's was first seen. GitHub's
// downloads list has no release date, so the first sighting is persisted across restarts.
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { EventBus } from '../events/bus';
import { assessRunnerVersion, observeRunnerVersion, type RunnerVersionAge } from '../github/runner-version';
import type { Clock } from '../util/clock';

export class RunnerVersionAgeTracker {
  private age: RunnerVersionAge | undefined;
  private guest: string | undefined;
  private latest: string | null = null;
  private writing: Promise<void> = Promise.resolve();

  /** `file` (optional) persists the record; a missing or unreadable file starts fresh. */
  constructor(
    private readonly clock: Clock,
    private readonly file?: string,
  ) {
    this.age = file ? readRecord(file) : undefined;
  }

  follow(bus: EventBus): () => void {
    const offGuest = bus.on('runner.version', (e) => {
      this.guest = e.version;
      this.update();
    });
    const offLatest = bus.on('runner.latest', (e) => {
      this.latest = e.version;
      this.update();
    });
    return () => {
      offGuest();
      offLatest();
    };
  }

  /** The gauge's point: undefined until the image's runner version is known (now or persisted). */
  current(): { version: string; latest: string; days: number } | undefined {
    if (!this.age) return undefined;
    return {
      version: this.age.guestVersion,
      latest: this.age.latestVersion,
      days: assessRunnerVersion(this.age, this.clock.now()).ageDays,
    };
  }

  /** Resolves when the last write has landed (tests, shutdown). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private update(): void {
    // Until a cycle reports the image's runner, the persisted record names it.
    const guest = this.guest ?? this.age?.guestVersion;
    if (!guest) return;
    const next = observeRunnerVersion(this.age, guest, this.latest, this.clock.now());
    const changed = JSON.stringify(next) !== JSON.stringify(this.age);
    this.age = next;
    if (changed && this.file) this.persist(this.file, next);
  }

  private persist(file: string, record: RunnerVersionAge): void {
    const tmp = `${file}.${process.pid}.tmp`;
    this.writing = this.writing
      .then(() => writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 }))
      .then(() => rename(tmp, file))
      .catch(() => {});
  }
}

function readRecord(file: string): RunnerVersionAge | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunnerVersionAge>;
    if (typeof r.guestVersion !== 'string' || typeof r.latestVersion !== 'string') return undefined;
    if (r.behindSince !== null && typeof r.behindSince !== 'number') return undefined;
    return { guestVersion: r.guestVersion, latestVersion: r.latestVersion, behindSince: r.behindSince };
  } catch {
    return undefined;
  }
}
