// Fault switches of the fake GitHub server and runner channel (github.md §9, field-failures.md).
// A fault is active until cleared or until it has fired `times` times. With `probability` it fires
// at each decision point with that chance, drawn deterministically from (seed, name, evaluation
// number), or from (seed, name, subject) where the decision is about one runner or session.
import { createHash } from 'node:crypto';

export const FAULT_NAMES = [
  'gh.status',
  'gh.slow',
  'gh.empty_403',
  'gh.token_expire_early',
  'gh.jit_500_after_create',
  'gh.delete_lag',
  'gh.list_stale',
  'gh.clock_skew',
  'gh.token_replication',
  'gh.rate_limit_secondary',
  'runner.never_assigned',
  'runner.session_conflict',
  'runner.deprecated',
  'runner.connect_error',
  'runner.self_update',
  'runner.cancel_retryable',
  'runner.retryable_crash',
  'runner.crash',
  'runner.hang',
  'runner.delete_variant_b',
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

/** Parameters per fault; durations in seconds are nominal (scaled by the time scale where the runner waits). */
export interface FaultParams {
  'gh.status': { route: string; status: number; times?: number };
  'gh.slow': { route: string; ms: number };
  'gh.empty_403': { route: string };
  'gh.token_expire_early': Record<string, never>;
  'gh.jit_500_after_create': Record<string, never>;
  'gh.delete_lag': { ms: number };
  'gh.list_stale': { s: number };
  'gh.clock_skew': { s: number };
  'gh.token_replication': { ms: number };
  'gh.rate_limit_secondary': { retryAfter: number; route?: string };
  'runner.never_assigned': { agentName: string };
  'runner.session_conflict': { s: number };
  'runner.deprecated': { minVersion: string };
  'runner.connect_error': { s: number; message?: string };
  'runner.self_update': { version: string };
  'runner.cancel_retryable': Record<string, never>;
  'runner.retryable_crash': { message?: string };
  'runner.crash': { afterS: number; agentName?: string };
  /** afterS counts from the session start, or with `afterJob` from the job's completion line. */
  'runner.hang': { afterS: number; agentName?: string; afterJob?: boolean };
  'runner.delete_variant_b': { message?: string };
}

export interface ActiveFault<N extends FaultName = FaultName> {
  id: number;
  name: N;
  params: FaultParams[N];
  /** Remaining firings; undefined = unlimited. */
  remaining?: number;
  /** Real ms when the fault was set (windows like connect_error(s) start here). */
  setAt: number;
  /** Chance of firing at each decision point; windows (connect_error, session_conflict, rate limit) do not apply then. */
  probability?: number;
  /** Decision points evaluated, and how many of them fired. */
  evaluated: number;
  fired: number;
}

type Decision = 'fire' | 'skip' | 'spent';

function draw(seed: number, name: string, point: string | number): number {
  return createHash('sha256').update(`${seed}/${name}/${point}`).digest().readUInt32BE(0) / 0x1_0000_0000;
}

/** Faults that fire once unless told otherwise. */
const DEFAULT_TIMES: Partial<Record<FaultName, number>> = { 'runner.retryable_crash': 1 };

export class Faults {
  private list: ActiveFault[] = [];
  private nextId = 1;
  /** Per-subject decisions of probabilistic faults (a runner is never assigned, a session crashes once). */
  private decisions = new Map<number, Map<string, Decision>>();

  constructor(private readonly seed = 1) {}

  static isName(name: string): name is FaultName {
    return (FAULT_NAMES as readonly string[]).includes(name);
  }

  set<N extends FaultName>(name: N, params: FaultParams[N], times?: number, probability?: number): ActiveFault<N> {
    const p = (params ?? {}) as FaultParams[N] & { times?: number; route?: string; agentName?: string };
    const remaining = times ?? p.times ?? (probability === undefined ? DEFAULT_TIMES[name] : undefined);
    // One fault per (name, route/agent): setting it again replaces it.
    this.list = this.list.filter((f) => {
      const q = f.params as { route?: string; agentName?: string };
      return !(f.name === name && q.route === p.route && q.agentName === p.agentName);
    });
    const fault: ActiveFault<N> = { id: this.nextId++, name, params: p, remaining, setAt: Date.now(), probability, evaluated: 0, fired: 0 };
    this.list.push(fault as ActiveFault);
    return fault;
  }

  clear(): void {
    this.list = [];
    this.decisions.clear();
  }

  all(): ActiveFault[] {
    return [...this.list];
  }

  /** The active fault of that name, without deciding whether it fires. */
  find<N extends FaultName>(name: N): ActiveFault<N> | undefined {
    return this.list.find((x) => x.name === name) as ActiveFault<N> | undefined;
  }

  /**
   * The active fault of that name (matching `pred`) if it fires at this decision point, without
   * using it up. `subject` (a runner name, a session id) makes a probabilistic decision once per subject.
   */
  peek<N extends FaultName>(name: N, pred?: (p: FaultParams[N]) => boolean, subject?: string): ActiveFault<N> | undefined {
    const f = this.list.find((x) => x.name === name && (!pred || pred(x.params as FaultParams[N]))) as ActiveFault<N> | undefined;
    if (!f) return undefined;
    if (f.probability === undefined) {
      f.evaluated += 1;
      f.fired += 1;
      return f;
    }
    return this.decide(f, subject) === 'fire' ? f : undefined;
  }

  /** Like peek, and counts one firing (removing the fault when its times are spent). With a subject it fires once per subject. */
  take<N extends FaultName>(name: N, pred?: (p: FaultParams[N]) => boolean, subject?: string): ActiveFault<N> | undefined {
    const f = this.list.find((x) => x.name === name && (!pred || pred(x.params as FaultParams[N]))) as ActiveFault<N> | undefined;
    if (!f) return undefined;
    if (f.probability === undefined) {
      f.evaluated += 1;
      f.fired += 1;
    } else {
      const d = this.decide(f, subject);
      if (d !== 'fire') return undefined;
      if (subject !== undefined) this.decisions.get(f.id)!.set(subject, 'spent');
    }
    this.consume(f);
    return f;
  }

  /** Counts one use of a fault already decided (e.g. by peek) without drawing again. */
  consume(f: ActiveFault): void {
    if (f.remaining === undefined) return;
    f.remaining -= 1;
    if (f.remaining <= 0) this.list = this.list.filter((x) => x !== f);
  }

  private decide(f: ActiveFault, subject?: string): Decision {
    let memo = this.decisions.get(f.id);
    const known = subject === undefined ? undefined : memo?.get(subject);
    if (known) return known;
    f.evaluated += 1;
    const fires = draw(this.seed, f.name, subject ?? f.evaluated) < f.probability!;
    if (fires) f.fired += 1;
    if (subject !== undefined) {
      if (!memo) this.decisions.set(f.id, (memo = new Map()));
      memo.set(subject, fires ? 'fire' : 'skip');
    }
    return fires ? 'fire' : 'skip';
  }

  remove(fault: ActiveFault): void {
    this.list = this.list.filter((x) => x !== fault);
    this.decisions.delete(fault.id);
  }
}

/** Route selector of gh.status / gh.slow / gh.empty_403: a route name, `*`, or a path prefix. */
export function routeMatches(selector: string, routeName: string | null, path: string): boolean {
  if (selector === '*') return true;
  if (routeName !== null && selector === routeName) return true;
  return selector.startsWith('/') && path.startsWith(selector);
}
