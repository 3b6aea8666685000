// Rows of checks (doctor, "Test connection"): status, check, message and the fix under it.
import type { CheckStatus } from '../../src-main/ipc/types';

export interface CheckRow {
  check: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export function CheckRows({ rows, label }: { rows: CheckRow[]; label?: string }) {
  return (
    <table className="doctor" aria-label={label}>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i} className={`status-${r.status}`}>
            <td className="badge">{r.status}</td>
            <td>{r.check}</td>
            <td>
              {r.message}
              {r.fix && <div className="muted">{r.fix}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
