// History: the newest completed jobs (main keeps the last 50), a chart of their durations and
// results, and per job the time each step of its cycle took, newest first.
import type { JobRecord } from '../../src-main/ipc/types';
import { DurationChart } from '../components/DurationChart';
import { JobOrigin } from '../components/JobOrigin';
import { PhaseBreakdown } from '../components/PhaseBreakdown';
import { formatClock, formatDuration, formatSeconds, shortDigest } from '../format';
import { useAppState } from '../stores/context';

const COLUMNS = 8;
/** One empty list: a selector that returned a new [] each time would re-render without end. */
const NO_JOBS: JobRecord[] = [];

/** How long the runner listened before GitHub handed it this job (GitHub's own queue time is not known here). */
function waited(j: JobRecord): number | undefined {
  return j.phases.find((p) => p.step === 'idle')?.seconds;
}

export function History() {
  const jobs = useAppState((s) => s.snapshot?.recentJobs ?? NO_JOBS);
  if (jobs.length === 0) return <p className="muted">No job has completed since Ekiden started.</p>;
  return (
    <section aria-label="History" className="history-view">
      <DurationChart jobs={jobs} />
      <table className="history" aria-label="Job history">
        <thead>
          <tr>
            <th>Finished</th>
            <th>Job</th>
            <th>Result</th>
            <th>Slot</th>
            <th title="How long the runner listened before it got this job">Waited</th>
            <th>Took</th>
            <th title="The whole cycle: clone, boot, register, wait, job, teardown">Cycle</th>
            <th>VM / image</th>
          </tr>
        </thead>
        {[...jobs].reverse().map((j) => {
          const wait = waited(j);
          return (
            <tbody key={`${j.at}-${j.vm}`} className={`job result-${j.result}`} data-testid="history-job" data-job={j.job}>
              <tr>
                <td>{formatClock(j.at).slice(0, 8)}</td>
                <td>
                  {j.job}
                  {j.repository && (
                    <div className="muted">
                      <JobOrigin repository={j.repository} runUrl={j.runUrl} />
                    </div>
                  )}
                </td>
                <td className="result" title={j.runnerResult}>{j.result}</td>
                <td>{j.slot}</td>
                <td>{wait === undefined ? '—' : formatSeconds(wait)}</td>
                <td>{formatDuration(j.seconds)}</td>
                <td>{j.cycleSeconds === undefined ? '…' : formatSeconds(j.cycleSeconds)}</td>
                <td title={j.imageDigest}>
                  {j.vm}
                  <div className="muted">{shortDigest(j.imageDigest)}</div>
                </td>
              </tr>
              <tr className="breakdown-row">
                <td colSpan={COLUMNS}>
                  <PhaseBreakdown phases={j.phases} label={j.job} />
                </td>
              </tr>
            </tbody>
          );
        })}
      </table>
    </section>
  );
}
