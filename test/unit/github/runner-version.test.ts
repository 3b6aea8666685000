import { describe, expect, it } from 'vitest';
import {
  assessRunnerVersion,
  compareRunnerVersions,
  observeRunnerVersion,
  parseRunnerVersion,
} from '../../../src-main/core/github/runner-version';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 7, 1);

describe('runner version comparison', () => {
  it.each([
    ['2.336.0', '2.336.0', 0],
    ['2.335.9', '2.336.0', -1],
    ['2.336.1', '2.336.0', 1],
    ['2.99.0', '2.100.0', -1],
    ['v2.336.0', '2.336.0', 0],
    ["Current runner version: '2.330.0'", '2.336.0', -1],
    ['garbage', '2.336.0', 0],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareRunnerVersions(a, b))).toBe(sign);
  });

  it('parses the version out of the runner line', () => {
    expect(parseRunnerVersion("Current runner version: '2.336.0'")).toEqual([2, 336, 0]);
    expect(parseRunnerVersion('none')).toBeNull();
  });
});

describe('runner version age policy (warn at 21 days, GitHub refuses at ~30)', () => {
  it('is current when the image has the latest version', () => {
    const age = observeRunnerVersion(undefined, '2.336.0', '2.336.0', T0);
    expect(age.behindSince).toBeNull();
    expect(assessRunnerVersion(age, T0)).toMatchObject({ verdict: 'current', ageDays: 0 });
  });

  it('counts days from the first time a newer version was seen, even when newer ones follow', () => {
    let age = observeRunnerVersion(undefined, '2.335.0', '2.336.0', T0);
    expect(age.behindSince).toBe(T0);
    age = observeRunnerVersion(age, '2.335.0', '2.337.0', T0 + 10 * DAY);
    expect(age.behindSince).toBe(T0);
    expect(age.latestVersion).toBe('2.337.0');
    expect(assessRunnerVersion(age, T0 + 20 * DAY)).toMatchObject({ verdict: 'behind', ageDays: 20 });
    expect(assessRunnerVersion(age, T0 + 21 * DAY)).toMatchObject({ verdict: 'warn', ageDays: 21 });
    expect(assessRunnerVersion(age, T0 + 21 * DAY).message).toMatch(/within 9 days/);
    expect(assessRunnerVersion(age, T0 + 30 * DAY)).toMatchObject({ verdict: 'expired', ageDays: 30 });
  });

  it('restarts when the image gets a new runner, and clears when it catches up', () => {
    let age = observeRunnerVersion(undefined, '2.334.0', '2.336.0', T0);
    age = observeRunnerVersion(age, '2.335.0', '2.336.0', T0 + 5 * DAY);
    expect(age.behindSince).toBe(T0 + 5 * DAY);
    age = observeRunnerVersion(age, '2.336.0', '2.336.0', T0 + 6 * DAY);
    expect(age.behindSince).toBeNull();
  });

  it('keeps the last known latest when downloads could not be read', () => {
    const age = observeRunnerVersion(observeRunnerVersion(undefined, '2.335.0', '2.336.0', T0), '2.335.0', null, T0 + DAY);
    expect(age).toEqual({ guestVersion: '2.335.0', latestVersion: '2.336.0', behindSince: T0 });
  });

  it('honours a custom warning threshold', () => {
    const age = observeRunnerVersion(undefined, '2.335.0', '2.336.0', T0);
    expect(assessRunnerVersion(age, T0 + 14 * DAY, 14).verdict).toBe('warn');
  });
});
