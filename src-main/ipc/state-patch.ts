// Patches of the app state: main diffs top-level parts, the renderer applies them in rev order.
import type { AppSnapshot, SnapshotParts, StatePatch } from './types';

const PARTS: readonly (keyof SnapshotParts)[] = ['app', 'service', 'host', 'recentJobs', 'cycles', 'health'];

/** The parts of `next` that differ from `prev` (compared as JSON); undefined when none. */
export function diffParts(prev: SnapshotParts, next: SnapshotParts): Partial<SnapshotParts> | undefined {
  const changes: Partial<SnapshotParts> = {};
  let changed = false;
  for (const key of PARTS) {
    if (JSON.stringify(prev[key]) !== JSON.stringify(next[key])) {
      (changes as Record<string, unknown>)[key] = next[key];
      changed = true;
    }
  }
  return changed ? changes : undefined;
}

/**
 * Applies a patch to the renderer's snapshot. Returns the same snapshot for a patch it already has,
 * and `undefined` for a gap (a patch was missed): the renderer then loads a fresh `host:snapshot`.
 */
export function applyStatePatch(snapshot: AppSnapshot, patch: StatePatch): AppSnapshot | undefined {
  if (patch.rev <= snapshot.rev) return snapshot;
  if (patch.baseRev !== snapshot.rev) return undefined;
  return { ...snapshot, ...patch.changes, rev: patch.rev };
}
