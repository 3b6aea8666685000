/**
 * Runner version policy (github.md §8.8): GitHub refuses runners about 30 days after a newer release,
 * and `…/runners/downloads` does not say when that release happened, so Ekiden measures the age from
 * the first time it saw a version newer than the one in the image (persisted by the caller).
 */

export const WARN_AFTER_DAYS = 21;
export const GITHUB_REFUSES_AFTER_DAYS = 30;
const DAY_MS = 86_400_000;

/** `2.336.0`, `v2.336.0` or a `Current runner version: '2.336.0'` line -> [2, 336, 0]; null if none. */
export function parseRunnerVersion(text: string): [number, number, number] | null {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Semver-ish comparison of x.y.z versions: negative when a < b. Unparsable versions compare equal. */
export function compareRunnerVersions(a: string, b: string): number {
  const pa = parseRunnerVersion(a);
  const pb = parseRunnerVersion(b);
  if (!pa || !pb) return 0;
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/** What the caller persists between runs: since when the image's version has been behind. */
export interface RunnerVersionAge {
  /** The image's runner version this record is about. */
  guestVersion: string;
  /** The newest version seen in downloads. */
  latestVersion: string;
  /** When a newer version than guestVersion was first seen (epoch ms); null while current. */
  behindSince: number | null;
}

/**
 * Folds a new observation into the persisted record: a new guest version restarts the count, a
 * guest that caught up clears it, and a newer latest keeps the original start (the oldest newer
 * release is the one GitHub's 30 days run from).
 */
export function observeRunnerVersion(
  prev: RunnerVersionAge | undefined,
  guestVersion: string,
  latestVersion: string | null,
  now: number,
): RunnerVersionAge {
  const sameGuest = prev?.guestVersion === guestVersion;
  const latest = latestVersion ?? (sameGuest ? prev!.latestVersion : guestVersion);
  const behind = compareRunnerVersions(guestVersion, latest) < 0;
  const behindSince = !behind ? null : sameGuest && prev!.behindSince !== null ? prev!.behindSince : now;
  return { guestVersion, latestVersion: latest, behindSince };
}

export type RunnerVersionVerdict = 'current' | 'behind' | 'warn' | 'expired';

export interface RunnerVersionAssessment {
  verdict: RunnerVersionVerdict;
  /** Whole days behind (0 when current): the `ekiden.runner.version.age` gauge. */
  ageDays: number;
  message: string;
}

/**
 * `current`; `behind` (< 21 days); `warn` (21..29 days: update the image soon); `expired` (30+ days:
 * GitHub may refuse the runner any time). Blocking the slot is left to the runner's deprecation line.
 */
export function assessRunnerVersion(age: RunnerVersionAge, now: number, warnDays = WARN_AFTER_DAYS): RunnerVersionAssessment {
  if (age.behindSince === null) {
    return { verdict: 'current', ageDays: 0, message: `Runner ${age.guestVersion} is current` };
  }
  const ageDays = Math.max(0, Math.floor((now - age.behindSince) / DAY_MS));
  const base = `Runner ${age.guestVersion} in the image is behind ${age.latestVersion} (newer version seen ${ageDays} days ago)`;
  if (ageDays >= GITHUB_REFUSES_AFTER_DAYS) {
    return { verdict: 'expired', ageDays, message: `${base}: GitHub refuses runners about ${GITHUB_REFUSES_AFTER_DAYS} days after a release; update the image now` };
  }
  if (ageDays >= warnDays) {
    const left = GITHUB_REFUSES_AFTER_DAYS - ageDays;
    return { verdict: 'warn', ageDays, message: `${base}: update the image within ${left} days, or GitHub will refuse it` };
  }
  return { verdict: 'behind', ageDays, message: base };
}
