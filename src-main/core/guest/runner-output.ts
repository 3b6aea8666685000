// Pure parser of actions/runner output lines into the markers Ekiden acts on (github.md §6.1-6.4).
import type { PipelineResult, RunnerResult } from '../events/types';

type WithLine<T> = T & { line: string };

export type RunnerMarker = WithLine<
  | { kind: 'connected' }
  | { kind: 'listening' }
  | { kind: 'job-started'; job: string }
  | { kind: 'job-completed'; job: string; result: RunnerResult }
  | { kind: 'connect-error'; message: string }
  | { kind: 'reconnected' }
  | { kind: 'registration-deleted'; variant: 'deleted' | 'no-longer-exists' | 'not-medium-trust' }
  | { kind: 'session-conflict' }
  | { kind: 'deprecated'; version?: string }
  | { kind: 'version'; version: string }
  | { kind: 'restarting' }
  | { kind: 'updating' }
  | { kind: 'exiting' }
  | { kind: 'listener-exit'; code: number | null; meaning: ListenerExitMeaning }
  | { kind: 'registration-token-invalid' }
>;

export type RunnerMarkerKind = RunnerMarker['kind'];
export type ListenerExitMeaning = 'success' | 'terminated' | 'retryable' | 'session-conflict' | 'unknown';

const ANSI = /\x1b\[[0-9;]*m/g;

/** Removes colour codes (a PTY or a TTY-aware runner adds them) and a trailing CR. */
export function stripAnsi(line: string): string {
  return line.replace(ANSI, '').replace(/\r$/, '');
}

const TS = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: `;
const RESULTS = 'Succeeded|SucceededWithIssues|Failed|Canceled|Skipped|Abandoned';

type MarkerBody = RunnerMarker extends infer M ? (M extends RunnerMarker ? Omit<M, 'line'> : never) : never;
type Rule = [RegExp, (m: RegExpExecArray) => MarkerBody];

// Order matters only where patterns overlap (the more specific first).
const RULES: Rule[] = [
  [/^√ Connected to GitHub$/, () => ({ kind: 'connected' })],
  [new RegExp(`^${TS}Listening for Jobs$`), () => ({ kind: 'listening' })],
  [new RegExp(`^${TS}Running job: (.+)$`), (m) => ({ kind: 'job-started', job: m[1] })],
  [new RegExp(`^${TS}Job (.+) completed with result: (${RESULTS})$`), (m) => ({ kind: 'job-completed', job: m[1], result: m[2] as RunnerResult })],
  [new RegExp(`^${TS}Runner connect error: (.*)\\. Retrying until reconnected\\.$`), (m) => ({ kind: 'connect-error', message: m[1] })],
  [new RegExp(`^${TS}Runner reconnected\\.$`), () => ({ kind: 'reconnected' })],
  [/The runner registration has been deleted from the server/, () => ({ kind: 'registration-deleted', variant: 'deleted' })],
  [/^The runner no longer exists on the server\./, () => ({ kind: 'registration-deleted', variant: 'no-longer-exists' })],
  [/Registration .* was not found or is not medium trust/, () => ({ kind: 'registration-deleted', variant: 'not-medium-trust' })],
  [/^A session for this runner already exists\.$/, () => ({ kind: 'session-conflict' })],
  // "An error occurred: Runner version v2.300.0 is deprecated ...", "occured" in older runners,
  // "Error: Forbidden Runner version v…" in older still.
  [/Runner version v?(\d[\w.-]*?) is deprecated/, (m) => ({ kind: 'deprecated', version: m[1] })],
  [/Forbidden Runner version v?(\d[\w.-]*\w)/, (m) => ({ kind: 'deprecated', version: m[1] })],
  [/^Runner listener exit with deprecated version exit code: 7\.$/, () => ({ kind: 'deprecated' })],
  [/^Current runner version: '([^']+)'$/, (m) => ({ kind: 'version', version: m[1] })],
  [/^Restarting runner\.\.\.$/, () => ({ kind: 'restarting' })],
  [/^Runner listener exit because of updating/, () => ({ kind: 'updating' })],
  [/^Exiting runner\.\.\.$/, () => ({ kind: 'exiting' })],
  [/^Runner listener exit with 0 return code/, () => ({ kind: 'listener-exit', code: 0, meaning: 'success' })],
  [/^Runner listener exit with terminated error/, () => ({ kind: 'listener-exit', code: 1, meaning: 'terminated' })],
  [/^Runner listener exit with retryable error/, () => ({ kind: 'listener-exit', code: 2, meaning: 'retryable' })],
  [/^Runner listener exit with Session Conflict error/, () => ({ kind: 'listener-exit', code: 5, meaning: 'session-conflict' })],
  [/^Exiting with unknown error code: (\d+)$/, (m) => ({ kind: 'listener-exit', code: Number(m[1]), meaning: 'unknown' })],
  // config.sh with an expired or unknown registration token (github.md §6.1).
  [/^Http response code: NotFound from 'POST \S*\/actions\/runner-registration'/, () => ({ kind: 'registration-token-invalid' })],
];

/** The marker a runner output line carries, or null for an ordinary line. */
export function parseRunnerLine(raw: string): RunnerMarker | null {
  const line = stripAnsi(raw);
  for (const [re, make] of RULES) {
    const m = re.exec(line);
    if (m) return { ...make(m), line } as RunnerMarker;
  }
  return null;
}

const PIPELINE: Record<RunnerResult, PipelineResult> = {
  Succeeded: 'success',
  SucceededWithIssues: 'success',
  Failed: 'failure',
  Canceled: 'cancellation',
  Skipped: 'skip',
  Abandoned: 'failure',
};

/** The runner's TaskResult as the semconv `cicd.pipeline.result` (github.md §6.3). */
export function pipelineResult(result: RunnerResult): PipelineResult {
  return PIPELINE[result];
}
