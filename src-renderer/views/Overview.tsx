// Overview: the host header (running or paused, jobs today, free disk, host error, check warnings)
// and one card per slot with its cycle's timeline.
import type { AppSnapshot, CycleTimeline, SlotSnapshot } from '../../src-main/ipc/types';
import { HostDisk, HostWarnings } from '../components/HostHealthLine';
import { JobOrigin } from '../components/JobOrigin';
import { PhaseTimeline } from '../components/PhaseTimeline';
import { formatDuration, shortDigest, startOfToday } from '../format';
import { useAppState } from '../stores/context';
import { useNow } from '../use-now';

/** What the host is doing, in one word, from the controller's status and the supervisor's mode. */
export function hostMode(s: AppSnapshot): string {
  const { status } = s.service;
  if (status !== 'running' || !s.host) return status;
  if (s.host.stopped) return 'stopped';
  if (s.host.draining) return 'pausing';
  if (s.host.paused) return 'paused';
  return 'running';
}

export function Overview() {
  const snapshot = useAppState((s) => s.snapshot);
  const now = useNow();
  if (!snapshot) return <p className="muted">Loading…</p>;
  const mode = hostMode(snapshot);
  const jobsToday = snapshot.recentJobs.filter((j) => j.at >= startOfToday(now)).length;
  const { host, service, health, cycles } = snapshot;
  return (
    <section aria-label="Overview">
      <header className="host-header" data-testid="host-header" data-mode={mode}>
        <div>
          <span className={`badge mode-${mode}`} data-testid="host-mode">{mode}</span>
          <strong className="host-id">{host?.hostId ?? 'no host'}</strong>
        </div>
        <div className="host-stats">
          <span data-testid="jobs-today">{jobsToday} {jobsToday === 1 ? 'job' : 'jobs'} today</span>
          {host?.imageDigest && <span title={host.imageDigest}>image {shortDigest(host.imageDigest)}</span>}
          <HostDisk health={health} />
        </div>
        {host?.hostError && (
          <p className="error" role="alert" data-testid="host-error">
            {host.hostError.message} <span className="muted">({host.hostError.reason}, since {formatDuration((now - host.hostError.since) / 1000)})</span>
          </p>
        )}
        {service.problem && (
          <div className="error" role="alert" data-testid="service-problem">
            <pre>{service.problem.message}</pre>
          </div>
        )}
        <HostWarnings health={health} now={now} />
      </header>
      <div className="slots">
        {host?.slots.map((slot) => <SlotCard key={slot.slot} slot={slot} timeline={cycles.find((c) => c.slot === slot.slot)} now={now} />)}
        {!host && <p className="muted">No host is running{service.status === 'unconfigured' ? ': open Settings to configure Ekiden.' : '.'}</p>}
      </div>
    </section>
  );
}

function SlotCard({ slot, timeline, now }: { slot: SlotSnapshot; timeline: CycleTimeline | undefined; now: number }) {
  return (
    <article className={`card state-${slot.state}`} data-testid={`slot-${slot.slot}`} data-state={slot.state}>
      <h3>
        Slot {slot.slot} <span className="state" data-testid="slot-state">{slot.state}</span>
        <span className="muted since"> for {formatDuration((now - slot.since) / 1000)}</span>
      </h3>
      <dl>
        <dt>Job</dt>
        <dd data-testid="slot-job">{slot.job ? `${slot.job.name} (${formatDuration((now - slot.job.startedAt) / 1000)})` : '—'}</dd>
        <dt>Repository</dt>
        <dd data-testid="slot-repository">
          <JobOrigin repository={slot.job?.repository} runUrl={slot.job?.runUrl} />
        </dd>
        <dt>VM</dt>
        <dd data-testid="slot-vm">{slot.vm ?? '—'}</dd>
        <dt>Runner</dt>
        <dd>{slot.runnerName ?? '—'}</dd>
        <dt>Image</dt>
        <dd title={slot.imageDigest}>{shortDigest(slot.imageDigest)}</dd>
      </dl>
      <PhaseTimeline timeline={timeline} now={now} />
      {slot.lastError && (
        <p className="error" data-testid="slot-error">
          {slot.lastError.reason}: {slot.lastError.message}
          {slot.retryAt && slot.retryAt > now ? ` — retry in ${formatDuration((slot.retryAt - now) / 1000)}` : ''}
        </p>
      )}
    </article>
  );
}
