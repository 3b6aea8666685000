// Recent jobs as bars, oldest on the left: height = how long the job ran, colour = its result.
// Hand-drawn SVG; each bar carries its own label for screen readers and a tooltip.
import type { JobRecord } from '../../src-main/ipc/types';
import { formatClock, formatSeconds } from '../format';

const WIDTH = 600;
const HEIGHT = 120;
const AXIS = 16;
const MAX_BAR = 28;

/** The results in the order the legend lists them. */
const RESULTS: JobRecord['result'][] = ['success', 'failure', 'cancellation', 'skip', 'error'];

export function barLabel(j: JobRecord): string {
  return `${j.job}: ${j.result}, ${formatSeconds(j.seconds)}, finished ${formatClock(j.at).slice(0, 8)} on slot ${j.slot}`;
}

export function DurationChart({ jobs }: { jobs: JobRecord[] }) {
  if (jobs.length === 0) return null;
  const max = Math.max(...jobs.map((j) => j.seconds), 1);
  const slotWidth = Math.min(MAX_BAR + 4, WIDTH / jobs.length);
  const barWidth = Math.max(2, slotWidth - 4);
  const plot = HEIGHT - AXIS;
  const counts = RESULTS.map((r) => [r, jobs.filter((j) => j.result === r).length] as const).filter(([, n]) => n > 0);
  return (
    <figure className="duration-chart" data-testid="duration-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="group" aria-label={`Job durations and results, oldest first (${jobs.length} jobs, longest ${formatSeconds(max)})`}>
        <line className="axis" x1={0} y1={plot + 0.5} x2={Math.max(jobs.length * slotWidth, 60)} y2={plot + 0.5} />
        <text className="axis-label" x={2} y={10}>{formatSeconds(max)}</text>
        {jobs.map((j, i) => {
          const h = Math.max(2, (j.seconds / max) * (plot - 14));
          const label = barLabel(j);
          return (
            <rect
              key={`${j.at}-${j.vm}`}
              className={`bar result-${j.result}`}
              data-testid="chart-bar"
              data-job={j.job}
              role="img"
              aria-label={label}
              x={i * slotWidth + 2}
              y={plot - h}
              width={barWidth}
              height={h}
              rx={2}
            >
              <title>{label}</title>
            </rect>
          );
        })}
        <text className="axis-label" x={2} y={HEIGHT - 3}>{formatClock(jobs[0].at).slice(0, 5)}</text>
        {jobs.length > 1 && (
          <text className="axis-label" x={jobs.length * slotWidth} y={HEIGHT - 3} textAnchor="end">{formatClock(jobs[jobs.length - 1].at).slice(0, 5)}</text>
        )}
      </svg>
      <figcaption className="legend">
        {counts.map(([r, n]) => (
          <span key={r} className="legend-item" data-testid={`legend-${r}`}>
            <span className={`swatch result-${r}`} aria-hidden="true" />
            {n} {r}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
