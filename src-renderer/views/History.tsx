// History: the newest completed jobs (main keeps the last 50), newest first.
import { formatClock, formatDuration, shortDigest } from '../format';
import { useAppState } from '../stores/context';

export function History() {
  const jobs = useAppState((s) => s.snapshot?.recentJobs ?? []);
  if (jobs.length === 0) return <p className="muted">No job has completed since Ekiden started.</p>;
  return (
    <table className="history" aria-label="Job history">
      <thead>
        <tr>
          <th>Finished</th>
          <th>Job</th>
          <th>Result</th>
          <th>Slot</th>
          <th>Took</th>
          <th>VM</th>
          <th>Image</th>
        </tr>
      </thead>
      <tbody>
        {[...jobs].reverse().map((j) => (
          <tr key={`${j.at}-${j.vm}`} className={`result-${j.result}`}>
            <td>{formatClock(j.at).slice(0, 8)}</td>
            <td>{j.job}</td>
            <td title={j.runnerResult}>{j.result}</td>
            <td>{j.slot}</td>
            <td>{formatDuration(j.seconds)}</td>
            <td>{j.vm}</td>
            <td title={j.imageDigest}>{shortDigest(j.imageDigest)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
