// The slot card's timeline of its current cycle: steps that ended with their time, the one under
// way counting up, the ones still to come greyed out.
import type { CycleTimeline } from '../../src-main/ipc/types';
import { formatDuration, formatSeconds } from '../format';
import { CYCLE_ORDER, STEP_LABELS } from '../steps';

type Status = 'done' | 'running' | 'pending';

interface Item {
  step: keyof typeof STEP_LABELS;
  status: Status;
  outcome?: string;
  seconds?: number;
}

/** The timeline as a list of items (exported for tests of the order and the live step). */
export function timelineItems(t: CycleTimeline, now: number): Item[] {
  const items: Item[] = t.done.map((s) => ({ step: s.step, status: 'done', outcome: s.outcome, seconds: s.seconds }));
  if (t.ended) return items;
  const current = t.current;
  if (current) items.push({ step: current.step, status: 'running', seconds: Math.max(0, (now - current.since) / 1000) });
  const from = current ? CYCLE_ORDER.indexOf(current.step) + 1 : 0;
  const seen = new Set(items.map((i) => i.step));
  for (const step of CYCLE_ORDER.slice(from)) if (!seen.has(step)) items.push({ step, status: 'pending' });
  return items;
}

export function PhaseTimeline({ timeline, now }: { timeline: CycleTimeline | undefined; now: number }) {
  if (!timeline) return null;
  const items = timelineItems(timeline, now);
  return (
    <div className="timeline-box">
      <ol className="timeline" aria-label={`Cycle of slot ${timeline.slot}`} data-testid="phase-timeline">
        {items.map((i, n) => {
          const label = STEP_LABELS[i.step];
          // The running step counts whole seconds: the view re-reads the clock once a second.
          const time = i.seconds === undefined ? '' : i.status === 'running' ? formatDuration(i.seconds) : formatSeconds(i.seconds);
          const state = i.status === 'done' ? (i.outcome === 'ok' ? 'done' : i.outcome) : i.status === 'running' ? 'running now' : 'to come';
          return (
            <li
              key={`${i.step}-${n}`}
              className={`step ${i.status}${i.outcome && i.outcome !== 'ok' ? ` outcome-${i.outcome}` : ''}`}
              data-step={i.step}
              data-status={i.status}
              aria-current={i.status === 'running' ? 'step' : undefined}
              aria-label={`${label}: ${state}${time ? `, ${time}` : ''}`}
            >
              <span className="step-name">{label}</span>
              {time && <span className="step-time">{time}</span>}
            </li>
          );
        })}
      </ol>
      {timeline.ended && (
        <p className="muted timeline-end" data-testid="timeline-ended">
          last cycle {timeline.ended.outcome.replace('_', ' ')} in {formatSeconds((timeline.ended.at - timeline.startedAt) / 1000)}
        </p>
      )}
    </div>
  );
}
