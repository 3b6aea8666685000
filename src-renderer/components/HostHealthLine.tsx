// The host header's health: free disk of the TART_HOME volume and the preflight's warnings.
import type { HostHealth } from '../../src-main/ipc/types';
import { formatBytes, formatDuration } from '../format';

/** Below this the next clone may not fit (what `ekiden doctor` asks for beyond the image). */
const LOW_DISK_BYTES = 30e9;

export function HostDisk({ health }: { health: HostHealth | null }) {
  if (!health) return null;
  if (health.diskProblem) return <span className="error" data-testid="host-disk">{health.diskProblem}</span>;
  if (!health.disk) return null;
  const { disk } = health;
  const low = disk.freeBytes < LOW_DISK_BYTES;
  return (
    <span
      className={low ? 'error' : undefined}
      data-testid="host-disk"
      data-free-bytes={disk.freeBytes}
      title={`TART_HOME ${disk.tartHome} on ${disk.mountpoint}: ${formatBytes(disk.usedBytes)} used`}
    >
      {formatBytes(disk.freeBytes)} free{low ? ' (low)' : ''}
    </span>
  );
}

export function HostWarnings({ health, now }: { health: HostHealth | null; now: number }) {
  if (!health || health.warnings.length === 0) return null;
  return (
    <div className="host-warnings" data-testid="host-warnings">
      <ul aria-label="Host check warnings">
        {health.warnings.map((w) => (
          <li key={w.check} className={`status-${w.status}`} data-check={w.check}>
            <span className="badge">{w.status}</span> <code>{w.check}</code> {w.message}
            {w.fix && <div className="muted fix">fix: {w.fix}</div>}
          </li>
        ))}
      </ul>
      {health.checkedAt !== undefined && <span className="muted checked">checked {formatDuration((now - health.checkedAt) / 1000)} ago</span>}
    </div>
  );
}
