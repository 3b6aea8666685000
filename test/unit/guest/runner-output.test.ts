import { describe, expect, it } from 'vitest';
import { parseRunnerLine, pipelineResult, stripAnsi, type RunnerMarker } from '../../../src-main/core/guest/runner-output';
import type { RunnerResult } from '../../../src-main/core/events/types';

type Body = RunnerMarker extends infer M ? (M extends RunnerMarker ? Omit<M, 'line'> : never) : never;

// Exact lines of github.md §6.1-§6.4 and §10.
const MARKERS: [string, Body][] = [
  ['√ Connected to GitHub', { kind: 'connected' }],
  ["Current runner version: '2.336.0'", { kind: 'version', version: '2.336.0' }],
  ['2026-08-17 14:15:44Z: Listening for Jobs', { kind: 'listening' }],
  ['2026-08-17 14:16:02Z: Running job: build (macos, 15)', { kind: 'job-started', job: 'build (macos, 15)' }],
  ['2026-08-17 14:17:10Z: Job build (macos, 15) completed with result: Succeeded', { kind: 'job-completed', job: 'build (macos, 15)', result: 'Succeeded' }],
  ['2026-08-17 14:17:10Z: Job test completed with result: SucceededWithIssues', { kind: 'job-completed', job: 'test', result: 'SucceededWithIssues' }],
  ['2026-08-17 14:17:10Z: Job a job completed with result: Failed', { kind: 'job-completed', job: 'a job', result: 'Failed' }],
  ['2026-08-17 14:17:10Z: Job x completed with result: Canceled', { kind: 'job-completed', job: 'x', result: 'Canceled' }],
  ['2026-08-17 14:17:10Z: Job x completed with result: Skipped', { kind: 'job-completed', job: 'x', result: 'Skipped' }],
  ['2026-08-17 14:17:10Z: Job x completed with result: Abandoned', { kind: 'job-completed', job: 'x', result: 'Abandoned' }],
  [
    '2026-08-17 14:16:02Z: Runner connect error: The HTTP request timed out after 00:01:00. Retrying until reconnected.',
    { kind: 'connect-error', message: 'The HTTP request timed out after 00:01:00' },
  ],
  ['2026-08-17 14:16:02Z: Runner connect error: Error: Conflict. Retrying until reconnected.', { kind: 'connect-error', message: 'Error: Conflict' }],
  ['2026-08-17 14:18:02Z: Runner reconnected.', { kind: 'reconnected' }],
  [
    'Failed to create a session. The runner registration has been deleted from the server, please re-configure. Runner registrations are automatically deleted for runners that have not connected to the service recently.',
    { kind: 'registration-deleted', variant: 'deleted' },
  ],
  ['The runner no longer exists on the server. Cleaning up local configuration.', { kind: 'registration-deleted', variant: 'no-longer-exists' }],
  ['The runner no longer exists on the server. Please reconfigure the runner.', { kind: 'registration-deleted', variant: 'no-longer-exists' }],
  [
    'An error occurred: Registration 9b2f1c3e-1111-2222-3333-444455556666 was not found or is not medium trust.',
    { kind: 'registration-deleted', variant: 'not-medium-trust' },
  ],
  ['A session for this runner already exists.', { kind: 'session-conflict' }],
  ['An error occurred: Runner version v2.300.0 is deprecated and cannot receive messages.', { kind: 'deprecated', version: '2.300.0' }],
  ['An error occured: Runner version v2.299.1 is deprecated and cannot receive messages.', { kind: 'deprecated', version: '2.299.1' }],
  ['Error: Forbidden Runner version v2.283.3 is deprecated and cannot receive messages.', { kind: 'deprecated', version: '2.283.3' }],
  ['Error: Forbidden Runner version v2.283.3.', { kind: 'deprecated', version: '2.283.3' }],
  ['Runner listener exit with deprecated version exit code: 7.', { kind: 'deprecated' }],
  ['Restarting runner...', { kind: 'restarting' }],
  ['Runner listener exit because of updating, re-launch runner after successful update', { kind: 'updating' }],
  ['Exiting runner...', { kind: 'exiting' }],
  ['Runner listener exit with 0 return code, stop the service, no retry needed.', { kind: 'listener-exit', code: 0, meaning: 'success' }],
  ['Runner listener exit with terminated error, stop the service, no retry needed.', { kind: 'listener-exit', code: 1, meaning: 'terminated' }],
  ['Runner listener exit with retryable error, re-launch runner in 5 seconds.', { kind: 'listener-exit', code: 2, meaning: 'retryable' }],
  ['Runner listener exit with Session Conflict error, stop the service, no retry needed.', { kind: 'listener-exit', code: 5, meaning: 'session-conflict' }],
  ['Exiting with unknown error code: 137', { kind: 'listener-exit', code: 137, meaning: 'unknown' }],
  [
    "Http response code: NotFound from 'POST https://api.github.com/actions/runner-registration' (Request Id: 1A2B:3C4D:5E6F)",
    { kind: 'registration-token-invalid' },
  ],
];

// Lines that must not be taken for markers.
const PLAIN = [
  '',
  '√ Removed .credentials',
  '√ Removed .runner',
  '√ Runner successfully added',
  'Update finished successfully.',
  'Exiting...',
  '{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}',
  'Response status code does not indicate success: 404 (Not Found).',
  'Listening for Jobs',
  '2026-08-17 14:16:02Z: Running job:',
  '2026-08-17 14:17:10Z: Job x completed with result: Maybe',
  "Unrecognized command-line input arguments for command run: '--disableupdate'. For usage refer to: .\\config.cmd --help or ./config.sh --help",
  '[2026-08-17 14:15:44Z INFO Runner] Listening for Jobs',
  'echo Exiting runner...',
];

describe('runner output markers (github.md §6.3)', () => {
  it.each(MARKERS)('%s', (line, body) => {
    expect(parseRunnerLine(line)).toEqual({ ...body, line });
  });

  it.each(PLAIN)('%j is an ordinary line', (line) => {
    expect(parseRunnerLine(line)).toBeNull();
  });

  it('ANSI colour (a PTY) and a CR are stripped before matching; the marker keeps the clean line', () => {
    const raw = '\x1b[32m√\x1b[0m Connected to GitHub\r';
    expect(stripAnsi(raw)).toBe('√ Connected to GitHub');
    expect(parseRunnerLine(raw)).toEqual({ kind: 'connected', line: '√ Connected to GitHub' });
    expect(parseRunnerLine('\x1b[1;31m2026-08-17 14:15:44Z: Listening for Jobs\x1b[0m')?.kind).toBe('listening');
  });

  it('a job name may itself contain "completed with result"', () => {
    const m = parseRunnerLine('2026-08-17 14:17:10Z: Job Job completed with result: X completed with result: Failed');
    expect(m).toMatchObject({ kind: 'job-completed', job: 'Job completed with result: X', result: 'Failed' });
  });

  it('the whole §6.3 transcript yields its markers in order', () => {
    const transcript = [
      '', '√ Connected to GitHub', '', "Current runner version: '2.336.0'", '2026-08-17 14:15:44Z: Listening for Jobs',
      '2026-08-17 14:16:02Z: Running job: build (macos, 15)', '2026-08-17 14:17:10Z: Job build (macos, 15) completed with result: Succeeded',
      '√ Removed .credentials', '√ Removed .runner', 'Runner listener exit with 0 return code, stop the service, no retry needed.', 'Exiting runner...',
    ];
    expect(transcript.map(parseRunnerLine).filter((m) => m).map((m) => m!.kind)).toEqual([
      'connected', 'version', 'listening', 'job-started', 'job-completed', 'listener-exit', 'exiting',
    ]);
  });
});

describe('pipelineResult', () => {
  it.each([
    ['Succeeded', 'success'], ['SucceededWithIssues', 'success'], ['Failed', 'failure'], ['Canceled', 'cancellation'], ['Skipped', 'skip'],
    ['Abandoned', 'failure'],
  ] as [RunnerResult, string][])('%s -> %s', (runner, pipeline) => expect(pipelineResult(runner)).toBe(pipeline));
});
