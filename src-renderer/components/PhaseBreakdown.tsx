// One job's cycle, step by step: a bar split by time per step, and the times in words.
import type { StepTiming } from '../../src-main/ipc/types';
import { formatSeconds } from '../format';
import { STEP_LABELS } from '../steps';

export function PhaseBreakdown({ phases, label }: { phases: StepTiming[]; label: string }) {
  if (phases.length === 0) return <span className="muted">no phase times</span>;
  const total = phases.reduce((sum, p) => sum + p.seconds, 0) || 1;
  return (
    <div className="breakdown" data-testid="phase-breakdown" aria-label={`Phases of ${label}`} role="group">
      <div className="breakdown-bar" aria-hidden="true">
        {phases.map((p, i) => (
          <span
            key={`${p.step}-${i}`}
            className={`seg step-${p.step}${p.outcome === 'ok' ? '' : ` outcome-${p.outcome}`}`}
            style={{ flexGrow: p.seconds / total }}
            title={`${STEP_LABELS[p.step]} ${formatSeconds(p.seconds)}`}
          />
        ))}
      </div>
      <ul className="breakdown-list">
        {phases.map((p, i) => (
          <li key={`${p.step}-${i}`} data-step={p.step} className={p.outcome === 'ok' ? '' : `outcome-${p.outcome}`}>
            <span className={`swatch step-${p.step}`} aria-hidden="true" />
            {STEP_LABELS[p.step]} <span className="step-time">{formatSeconds(p.seconds)}</span>
            {p.outcome !== 'ok' && <span className="step-outcome"> ({p.outcome})</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
