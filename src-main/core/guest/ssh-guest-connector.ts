// Connects to a guest over SSH with bounded retries (field-failures #10, #13, #18, #19).
import { Client, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import { EkidenError, type FailureReason } from '../errors';
import { systemClock, type Clock } from '../util/clock';
import { nullLogger, type Logger } from '../util/logger';
import type { GuestConnectOptions, GuestConnector, GuestShell, GuestTarget } from './guest-shell';
import { fingerprint, hostPattern, matchesPin, parsePin, VmKnownHosts } from './host-key';
import { SshGuestShell } from './ssh-guest-shell';

export interface SshGuestConnectorOptions {
  /** Upper bound for one attempt (TCP connect, banner, key exchange, auth). */
  attemptTimeoutMs?: number;
  /** Unanswered keep-alives before the connection counts as dropped. */
  keepaliveCountMax?: number;
  clock?: Clock;
  logger?: Logger;
}

/** An attempt's failure: `fatal` ones end the retries at once. */
export class AttemptError extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly fatal: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const ADVICE: Partial<Record<FailureReason, string>> = {
  ssh_refused: 'the guest refuses SSH connections (is Remote Login on in the image?)',
  ssh_timeout: 'the guest did not complete an SSH handshake in time',
};

export class SshGuestConnector implements GuestConnector {
  private readonly attemptTimeoutMs: number;
  private readonly keepaliveCountMax: number;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(opts: SshGuestConnectorOptions = {}) {
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? 15_000;
    this.keepaliveCountMax = opts.keepaliveCountMax ?? 3;
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? nullLogger).child({ scope: 'ssh', source: 'host' });
  }

  async connect(target: GuestTarget, opts: GuestConnectOptions): Promise<GuestShell> {
    const deadline = this.clock.now() + opts.timeoutMs;
    const known = new VmKnownHosts(target.knownHostsFile, hostPattern(target.host, target.port));
    let last: AttemptError | undefined;
    for (let attempt = 1; ; attempt++) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) break;
      await known.load();
      try {
        return await this.attempt(target, opts, known, Math.min(this.attemptTimeoutMs, remaining));
      } catch (e) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        if (!(e instanceof AttemptError)) throw e;
        if (e.fatal) throw new EkidenError(e.reason, e.message, `${target.host}:${target.port}`, { cause: e.cause });
        // Attempts come quickly while a guest boots: a line when the failure changes, then every tenth.
        if (e.message !== last?.message || attempt % 10 === 0) {
          this.log.log('debug', `ssh attempt ${attempt} to ${target.host}:${target.port} failed: ${e.message}`);
        }
        last = e;
      }
      const wait = Math.min(opts.retryDelayMs, deadline - this.clock.now());
      if (wait <= 0) break;
      await this.clock.sleep(wait, opts.signal);
    }
    const reason = last?.reason ?? 'ssh_timeout';
    throw new EkidenError(
      reason,
      `${ADVICE[reason] ?? 'SSH to the guest failed'} (${target.host}:${target.port}, ${Math.round(opts.timeoutMs / 1000)} s)`,
      last?.message,
      { cause: last },
    );
  }

  private attempt(target: GuestTarget, opts: GuestConnectOptions, known: VmKnownHosts, readyTimeout: number): Promise<GuestShell> {
    const pin = target.pinnedHostKey ? parsePin(target.pinnedHostKey) : undefined;
    let hostKeyProblem: string | undefined;
    let offered: Buffer | undefined;
    const client = new Client();

    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      password: target.password,
      privateKey: target.privateKey,
      tryKeyboard: target.password !== undefined,
      readyTimeout,
      keepaliveInterval: opts.keepaliveIntervalMs,
      keepaliveCountMax: this.keepaliveCountMax,
      hostVerifier: (key: Buffer) => {
        offered = key;
        if (pin && !matchesPin(key, pin)) {
          hostKeyProblem = `the guest's host key ${fingerprint(key)} is not the pinned one`;
          return false;
        }
        if (!pin && known.check(key) === 'mismatch') {
          hostKeyProblem = `the guest's host key ${fingerprint(key)} changed since the first connection to this VM`;
          return false;
        }
        return true;
      },
    };
    // A pinned public key names its type: ask for exactly that one so the server presents it.
    if (pin?.type) config.algorithms = { serverHostKey: hostKeyAlgorithms(pin.type) };

    return new Promise<GuestShell>((resolve, reject) => {
      let done = false;
      const settle = (e?: AttemptError) => {
        if (done) return;
        done = true;
        opts.signal?.removeEventListener('abort', onAbort);
        client.removeListener('keyboard-interactive', onKeyboard);
        if (e) {
          client.destroy();
          reject(e);
        }
      };
      const onAbort = () => {
        settle(new AttemptError('ssh_timeout', 'aborted', true));
      };
      const onKeyboard = (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) =>
        finish(prompts.map(() => target.password ?? ''));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      client.on('keyboard-interactive', onKeyboard);
      client.on('ready', () => {
        if (done) return;
        const shell = new SshGuestShell(client);
        const save = offered && !pin ? known.remember(offered) : Promise.resolve();
        save.then(
          () => {
            settle();
            resolve(shell);
          },
          (e: unknown) => settle(new AttemptError('ssh_refused', `cannot write ${known.file}: ${(e as Error).message}`, true, { cause: e })),
        );
      });
      client.on('error', (err: Error & { level?: string; code?: string }) => settle(classify(err, hostKeyProblem)));
      client.on('close', () => settle(new AttemptError('ssh_refused', 'the connection closed before the session was ready', false)));
      try {
        client.connect(config);
      } catch (e) {
        settle(new AttemptError('ssh_auth', `invalid SSH settings: ${(e as Error).message}`, true, { cause: e }));
      }
    });
  }
}

/** Which connect failures are worth another attempt, and the reason of each (field-failures #10, #13). */
export function classify(err: Error & { level?: string; code?: string }, hostKeyProblem?: string): AttemptError {
  if (hostKeyProblem) return new AttemptError('ip_identity_mismatch', `${hostKeyProblem}: refusing to connect`, true, { cause: err });
  if (err.level === 'client-authentication') {
    return new AttemptError('ssh_auth', 'the guest rejected the SSH credentials: check the guest user, password or key', true, { cause: err });
  }
  if (err.code === 'EHOSTUNREACH') {
    return new AttemptError(
      'local_network_denied',
      'connecting to the guest failed with EHOSTUNREACH: macOS Local Network access is probably denied for Ekiden (System Settings > Privacy & Security > Local Network)',
      true,
      { cause: err },
    );
  }
  if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') return new AttemptError('ssh_refused', `${err.code}: ${err.message}`, false, { cause: err });
  return new AttemptError('ssh_timeout', err.message, false, { cause: err });
}

/** Host key algorithms that make a server present a key of this type. */
function hostKeyAlgorithms(type: string): ServerHostKeyAlgorithm[] {
  return (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]) as ServerHostKeyAlgorithm[];
}
