// Starts the actions runner detached in the guest and follows its output from the host
// (architecture.md "runner survives a dropped connection", field-failures #18).
//
// In the guest (under $HOME): <stateDir>/runner.log gets run.sh's stdout+stderr, runner.pid the
// wrapper's pid, runner.exit its exit code once it ends. Scripts are POSIX sh, portable to macOS
// (bash 3.2 as sh, BSD tail/head/wc). Secrets come over stdin only, never argv.
import { EkidenError, isEkidenError } from '../errors';
import type { AttachResult, RunnerLauncher, TokenRegistration } from '../runner/ports';
import type { GuestShell } from './guest-shell';
import { parseJobMessage, type JobDetails } from './job-message';

export interface RunnerControlOptions {
  /** The runner's directory, relative to the guest user's HOME. */
  runnerDir?: string;
  /** Ekiden's state directory in the guest, relative to HOME. */
  stateDir?: string;
  /**
   * How often the guest script checks whether the runner is still alive (seconds). Output itself
   * streams as it is written (`tail -f`); this bounds only how soon a killed runner is noticed.
   */
  pollSeconds?: number;
  /** Bound for the start command and the identity probe. */
  commandTimeoutMs?: number;
}

/** Single-quotes a string for POSIX sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs `script` with /bin/sh from the user's login shell, so ~/.zprofile (Homebrew) applies. */
export function inLoginShell(script: string): string {
  return `exec "\${SHELL:-/bin/sh}" -lc 'exec /bin/sh -c "$1"' ekiden ${shQuote(script)}`;
}

const START_ERRORS: Record<number, string> = {
  90: 'cannot create the Ekiden state directory in the guest',
  91: 'no runner configuration arrived on stdin',
  92: 'the image has no actions runner directory',
};

/** The wrapper's last line in the log after run.sh (`ekiden-runner-exit <code>`), and the script's fallback on stderr. */
const EXIT_MARK = 'ekiden-runner-exit ';
const EXIT_LINE_PATTERN = /^ekiden-runner-exit (-?\d+)$/;
const LOST_MARK = 'ekiden-runner-lost';
const MISSING_MARK = 'ekiden-runner-missing';
const PID_MARK = 'ekiden-runner-pid ';

export class RunnerControl implements RunnerLauncher {
  private readonly runnerDir: string;
  private readonly stateDir: string;
  private readonly pollSeconds: number;
  private readonly commandTimeoutMs: number;

  constructor(opts: RunnerControlOptions = {}) {
    this.runnerDir = opts.runnerDir ?? 'actions-runner';
    this.stateDir = opts.stateDir ?? '.ekiden';
    this.pollSeconds = opts.pollSeconds ?? 1;
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 30_000;
  }

  /** Launches `body` detached with the secret read from stdin into `envName`; returns the wrapper's pid. */
  private async launch(shell: GuestShell, envName: string, secret: string, body: string): Promise<number> {
    if (secret.includes('\n')) throw new Error(`${envName} must be a single line`);
    const script = [
      `d="$HOME"/${shQuote(this.stateDir)}`,
      'mkdir -p "$d" || exit 90',
      'rm -f "$d/runner.exit" "$d/runner.exit.tmp" "$d/runner.pid"',
      ': > "$d/runner.log" || exit 90',
      `${envName}=`,
      `IFS= read -r ${envName} || [ -n "$${envName}" ] || exit 91`,
      `[ -n "$${envName}" ] || exit 91`,
      `export ${envName}`,
      `cd "$HOME"/${shQuote(this.runnerDir)} || exit 92`,
      // nohup + all three streams redirected: the runner outlives the SSH session, and the
      // session can close because nothing holds its pipes.
      `nohup /bin/sh -c ${shQuote(body)} ekiden-runner "$d" >> "$d/runner.log" 2>&1 < /dev/null &`,
      'echo $! > "$d/runner.pid"',
      `echo "${PID_MARK}$!"`,
    ].join('\n');
    const r = await shell.exec(inLoginShell(script), { stdin: `${secret}\n`, timeoutMs: this.commandTimeoutMs });
    if (r.code !== 0) {
      const why = (r.code !== null && START_ERRORS[r.code]) || `exit ${r.code}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`;
      throw new EkidenError(r.code === null ? 'ssh_dropped' : 'runner_crashed', `starting the runner failed: ${why}`, r.stderr.trim() || undefined);
    }
    const pid = Number(/ekiden-runner-pid (\d+)/.exec(r.stdout)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) throw new EkidenError('runner_crashed', 'starting the runner printed no pid', r.stdout.trim());
    return pid;
  }

  /**
   * Ends the log with the exit line (on a line of its own), then records the exit code atomically;
   * `$1` is the state directory and the wrapper's stdout is the log. The line comes first, so a
   * follower that sees the record also finds the line in the log.
   */
  private static readonly RECORD_EXIT = [
    'if [ -n "$(tail -c 1 "$1/runner.log")" ]; then echo; fi',
    `echo "${EXIT_MARK}$c"`,
    'echo "$c" > "$1/runner.exit.tmp"',
    'mv -f "$1/runner.exit.tmp" "$1/runner.exit"',
  ].join('\n');

  async startJit(shell: GuestShell, encodedJitConfig: string): Promise<void> {
    const body = `./run.sh\nc=$?\n${RunnerControl.RECORD_EXIT}`;
    await this.launch(shell, 'ACTIONS_RUNNER_INPUT_JITCONFIG', encodedJitConfig, body);
  }

  async startWithToken(shell: GuestShell, req: TokenRegistration): Promise<void> {
    const args = ['--unattended', '--url', req.url, '--name', req.name, '--work', req.workFolder, '--ephemeral', '--replace'];
    if (req.labels.length > 0) args.push('--labels', req.labels.join(','));
    if (req.group) args.push('--runnergroup', req.group);
    if (req.disableUpdate) args.push('--disableupdate');
    // config.sh takes the token from ACTIONS_RUNNER_INPUT_TOKEN (github.md §6.1); it is unset before run.sh.
    const body = [
      `./config.sh ${args.map(shQuote).join(' ')}`,
      'c=$?',
      'unset ACTIONS_RUNNER_INPUT_TOKEN',
      'if [ "$c" -eq 0 ]; then ./run.sh; c=$?; fi',
      RunnerControl.RECORD_EXIT,
    ].join('\n');
    await this.launch(shell, 'ACTIONS_RUNNER_INPUT_TOKEN', req.token, body);
  }

  /**
   * The guest script that streams the log from `offset` as it grows (`tail -f`: no polling delay
   * between a runner line and the host). The host stops reading at the wrapper's exit line. The
   * loop beside it only watches the wrapper: gone without an exit record means it was killed; an
   * exit record the host did not act on ends the stream after a grace.
   */
  private attachScript(offset: number): string {
    return [
      `d="$HOME"/${shQuote(this.stateDir)}`,
      'f="$d/runner.log"',
      `[ -f "$d/runner.pid" ] || { echo ${MISSING_MARK} >&2; exit 3; }`,
      'pid=$(cat "$d/runner.pid")',
      `tail -c +${offset + 1} -f "$f" &`,
      't=$!',
      'while :; do',
      `  if [ -f "$d/runner.exit" ]; then sleep 3; kill "$t" 2>/dev/null; echo "${EXIT_MARK}$(cat "$d/runner.exit")" >&2; exit 0; fi`,
      // The wrapper records the exit before it ends, so a gone pid without a record means it was killed.
      '  if ! kill -0 "$pid" 2>/dev/null; then',
      '    if [ -f "$d/runner.exit" ]; then continue; fi',
      `    sleep 1; kill "$t" 2>/dev/null; echo ${LOST_MARK} >&2; exit 0`,
      '  fi',
      `  sleep ${this.pollSeconds}`,
      'done',
    ].join('\n');
  }

  async attach(shell: GuestShell, fromOffset: number, onLine: (line: string) => void, signal: AbortSignal): Promise<AttachResult> {
    // Only whole lines advance the offset, so a re-attach resumes at the start of a cut line.
    let offset = fromOffset;
    let partial = '';
    let exitLine: number | undefined;
    // Ends the stream once the exit line arrived (the guest's tail would follow the log forever).
    const stop = new AbortController();
    const forward = () => stop.abort(signal.reason);
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    const onStdout = (chunk: string) => {
      if (exitLine !== undefined) return;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const raw of parts) {
        offset += Buffer.byteLength(raw, 'utf8') + 1;
        const end = EXIT_LINE_PATTERN.exec(raw);
        if (end) {
          exitLine = Number(end[1]);
          partial = '';
          stop.abort(new Error('runner exited'));
          return;
        }
        onLine(raw.replace(/\r$/, ''));
      }
    };
    let r;
    try {
      r = await shell.exec(`exec /bin/sh -c ${shQuote(this.attachScript(fromOffset))}`, { onStdout, signal: stop.signal });
    } catch (e) {
      if (exitLine !== undefined) return { kind: 'exited', exitCode: exitLine, offset };
      if (signal.aborted) throw e;
      if (isEkidenError(e) && e.reason === 'ssh_dropped') return { kind: 'dropped', offset };
      throw e;
    } finally {
      signal.removeEventListener('abort', forward);
    }
    if (exitLine !== undefined) return { kind: 'exited', exitCode: exitLine, offset };
    if (r.stderr.includes(MISSING_MARK)) throw new EkidenError('runner_crashed', 'no runner was started in this guest');
    const exit = new RegExp(`${EXIT_MARK}(-?\\d+)`).exec(r.stderr);
    const lost = r.stderr.includes(LOST_MARK);
    if (!exit && !lost) {
      if (r.code === null) return { kind: 'dropped', offset };
      throw new EkidenError('ssh_dropped', `following the runner output failed (exit ${r.code})`, r.stderr.trim() || undefined);
    }
    // The runner is done: a last line without a newline is complete too.
    if (partial !== '') {
      offset += Buffer.byteLength(partial, 'utf8');
      onLine(partial.replace(/\r$/, ''));
      partial = '';
    }
    return { kind: 'exited', exitCode: exit ? Number(exit[1]) : null, offset };
  }

  /**
   * The running job's origin from the newest worker diagnostics log: the JSON after its
   * `Job message:` line, up to the next trace line (at most 1 MB crosses the wire).
   */
  async jobDetails(shell: GuestShell): Promise<JobDetails | undefined> {
    const script = [
      `f=$(ls -t "$HOME"/${shQuote(`${this.runnerDir}/_diag`)}/Worker_*.log 2>/dev/null | head -n 1)`,
      '[ -n "$f" ] || exit 0',
      `awk 'm && /^\\[/ { exit } m { print } / Job message:$/ { m = 1 }' "$f" | head -c 1048576`,
    ].join('\n');
    const r = await shell.exec(`exec /bin/sh -c ${shQuote(script)}`, { timeoutMs: this.commandTimeoutMs });
    return r.code === 0 && r.stdout.trim() ? parseJobMessage(r.stdout) : undefined;
  }

  /**
   * SIGINT to this guest's runner listener (github.md §6.2): an in-flight job ends `Canceled`, the
   * runner removes its credentials and exits, and GitHub drops the ephemeral registration, so a
   * stop-now does not leave a busy registration behind. Matched by its path under this HOME only.
   */
  async interrupt(shell: GuestShell): Promise<void> {
    await shell.exec(`pkill -INT -f "$HOME"/${shQuote(`${this.runnerDir}/bin/Runner.Listener`)} || true`, { timeoutMs: this.commandTimeoutMs });
  }

  /** The guest's en0 MAC, normalised (lower case, two digits per octet). */
  async guestMac(shell: GuestShell): Promise<string> {
    const r = await shell.exec(`ifconfig en0 | awk '/ether/{print $2}'`, { timeoutMs: this.commandTimeoutMs });
    const mac = r.stdout.trim().split('\n')[0]?.trim() ?? '';
    if (r.code !== 0 || !/^[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}$/i.test(mac)) {
      throw new EkidenError('ip_identity_mismatch', `cannot read the guest's MAC address (exit ${r.code})`, (r.stderr || r.stdout).trim() || undefined);
    }
    return normalizeMac(mac);
  }

  /** Whether the guest we reached is the VM we started: its en0 MAC equals the configured one. */
  async identity(shell: GuestShell, expectedMac: string): Promise<{ matches: boolean; guestMac: string }> {
    const guestMac = await this.guestMac(shell);
    return { matches: guestMac === normalizeMac(expectedMac), guestMac };
  }
}

function normalizeMac(mac: string): string {
  return mac.trim().toLowerCase().split(':').map((o) => o.padStart(2, '0')).join(':');
}
