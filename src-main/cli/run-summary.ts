import type { EkidenEvent, Phase, PipelineResult } from '../core/events/types';
import { PHASES } from '../core/events/types';

export interface PhaseStats {
  phase: Phase | 'job';
  count: number;
  medianSeconds: number;
  maxSeconds: number;
}

export interface RunSummary {
  jobsByResult: Partial<Record<PipelineResult, number>>;
  jobs: number;
  failuresByReason: Record<string, number>;
  phases: PhaseStats[];
  cycles: number;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Folds the event stream into what the end of a run reports: jobs by result, phase timings, failures. */
export class RunSummaryCollector {
  private readonly durations = new Map<Phase | 'job', number[]>();
  private readonly results: Partial<Record<PipelineResult, number>> = {};
  private readonly failures: Record<string, number> = {};
  private cycles = 0;

  observe(event: EkidenEvent): void {
    switch (event.type) {
      case 'phase.completed':
        if (event.outcome === 'ok') this.push(event.phase, event.seconds);
        break;
      case 'job.completed':
        this.results[event.result] = (this.results[event.result] ?? 0) + 1;
        this.push('job', event.seconds);
        break;
      case 'failure':
        this.failures[event.reason] = (this.failures[event.reason] ?? 0) + 1;
        break;
      case 'cycle.completed':
        this.cycles++;
        break;
      default:
    }
  }

  private push(phase: Phase | 'job', seconds: number): void {
    const list = this.durations.get(phase) ?? [];
    list.push(seconds);
    this.durations.set(phase, list);
  }

  summary(): RunSummary {
    const order: (Phase | 'job')[] = [...PHASES.slice(0, 7), 'job', ...PHASES.slice(7)];
    return {
      jobsByResult: { ...this.results },
      jobs: Object.values(this.results).reduce((a, b) => a + (b ?? 0), 0),
      failuresByReason: { ...this.failures },
      cycles: this.cycles,
      phases: order
        .filter((p) => this.durations.has(p))
        .map((phase) => {
          const values = this.durations.get(phase)!;
          return { phase, count: values.length, medianSeconds: median(values), maxSeconds: Math.max(...values) };
        }),
    };
  }
}

export function formatSummary(s: RunSummary, leftovers: { vms: string[]; runners: string[] }): string {
  const lines: string[] = [];
  const results = Object.entries(s.jobsByResult).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  lines.push(`Jobs: ${s.jobs} (${results}) in ${s.cycles} cycles`);
  const failures = Object.entries(s.failuresByReason).map(([k, v]) => `${k} ${v}`).join(', ');
  lines.push(`Failures: ${failures || 'none'}`);
  lines.push('Phase timings (seconds):');
  lines.push(`  ${'phase'.padEnd(10)} ${'count'.padStart(5)} ${'median'.padStart(8)} ${'max'.padStart(8)}`);
  for (const p of s.phases) {
    lines.push(`  ${p.phase.padEnd(10)} ${String(p.count).padStart(5)} ${p.medianSeconds.toFixed(2).padStart(8)} ${p.maxSeconds.toFixed(2).padStart(8)}`);
  }
  const left = [...leftovers.vms.map((v) => `VM ${v}`), ...leftovers.runners.map((r) => `runner ${r}`)];
  lines.push(`Leftovers: ${left.length ? left.join(', ') : 'none'}`);
  return lines.join('\n');
}
