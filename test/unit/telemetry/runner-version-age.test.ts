import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src-main/core/events/bus';
import { RunnerVersionAgeTracker } from '../../../src-main/core/telemetry/runner-version-age';
import { systemClock } from '../../../src-main/core/util/clock';

const DAY = 86_400_000;
let dir: string;
let file: string;
let t: number;
const clock = { ...systemClock, now: () => t };

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ekiden-rv-'));
  file = path.join(dir, 'runner-version.json');
  t = Date.UTC(2026, 0, 1);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('runner version age', () => {
  it('counts whole days from the first sighting of a newer runner and persists it 0600', async () => {
    const bus = new EventBus();
    const tracker = new RunnerVersionAgeTracker(clock, file);
    tracker.follow(bus);
    expect(tracker.current()).toBeUndefined();
    bus.emit({ type: 'runner.version', at: t, slot: 0, version: '2.334.0' });
    expect(tracker.current()).toEqual({ version: '2.334.0', latest: '2.334.0', days: 0 });
    bus.emit({ type: 'runner.latest', at: t, version: '2.335.0' });
    t += 5 * DAY;
    bus.emit({ type: 'runner.latest', at: t, version: '2.336.0' });
    t += 2 * DAY + 3_600_000;
    expect(tracker.current()).toEqual({ version: '2.334.0', latest: '2.336.0', days: 7 });
    await tracker.flushed();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ guestVersion: '2.334.0', latestVersion: '2.336.0', behindSince: Date.UTC(2026, 0, 1) });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // an image with the current runner resets the age
    bus.emit({ type: 'runner.version', at: t, slot: 1, version: '2.336.0' });
    expect(tracker.current()).toEqual({ version: '2.336.0', latest: '2.336.0', days: 0 });
  });

  it('starts fresh from a damaged record', () => {
    writeFileSync(file, '{not json');
    expect(new RunnerVersionAgeTracker(clock, file).current()).toBeUndefined();
  });
});
