// One established SSH connection to a guest, as a GuestShell (ssh2 Client).
import type { Client, ClientChannel } from 'ssh2';
import { StringDecoder } from 'node:string_decoder';
import { EkidenError } from '../errors';
import type { ExecOptions, ExecResult, GuestShell } from './guest-shell';

export class SshGuestShell implements GuestShell {
  readonly closed: Promise<void>;
  private ended = false;

  constructor(private readonly client: Client) {
    this.closed = new Promise((resolve) => {
      client.once('close', () => {
        this.ended = true;
        resolve();
      });
    });
    // After `ready`, errors (keep-alive timeout, reset) end the connection; `closed` reports it.
    client.on('error', () => {});
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.ended) return Promise.reject(new EkidenError('ssh_dropped', 'the guest connection is closed'));
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    return new Promise<ExecResult>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      let exitSignal: string | null = null;
      let channel: ClientChannel | undefined;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const outDecoder = new StringDecoder('utf8');
      const errDecoder = new StringDecoder('utf8');

      const cleanup = () => {
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (e: unknown) => {
        if (settled) return;
        cleanup();
        // Ask the guest to end the command (servers may ignore it), then drop the channel.
        try {
          channel?.signal('KILL');
        } catch {}
        channel?.close();
        reject(e);
      };
      const finish = () => {
        if (settled) return;
        cleanup();
        stdout += flush(outDecoder, opts.onStdout);
        stderr += flush(errDecoder, opts.onStderr);
        resolve({ code, signal: exitSignal, stdout, stderr });
      };
      const onAbort = () => fail(opts.signal!.reason);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(
          () => fail(new EkidenError('ssh_timeout', `guest command did not finish within ${Math.round(opts.timeoutMs! / 1000)} s`)),
          opts.timeoutMs,
        );
      }
      // A dropped connection closes its channels; this also covers a channel that never opened.
      void this.closed.then(finish);

      try {
        this.client.exec(command, (err, stream) => {
          if (err) return fail(new EkidenError('ssh_dropped', `could not open a guest command channel: ${err.message}`, undefined, { cause: err }));
          channel = stream;
          if (settled) return void stream.close();
          stream.on('exit', (exitCode: number | null, signalName?: string) => {
            code = typeof exitCode === 'number' ? exitCode : null;
            exitSignal = signalName ?? null;
          });
          stream.on('data', (data: Buffer) => {
            const text = outDecoder.write(data);
            stdout += text;
            if (text) opts.onStdout?.(text);
          });
          stream.stderr.on('data', (data: Buffer) => {
            const text = errDecoder.write(data);
            stderr += text;
            if (text) opts.onStderr?.(text);
          });
          stream.on('close', finish);
          stream.on('error', () => {});
          // Stdin, then EOF: the only way secrets reach the guest.
          if (opts.stdin !== undefined) stream.end(opts.stdin);
          else stream.end();
        });
      } catch (e) {
        fail(new EkidenError('ssh_dropped', `could not start a guest command: ${(e as Error).message}`, undefined, { cause: e }));
      }
    });
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.client.end();
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([
      this.closed.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 2_000))),
    ]);
    clearTimeout(timer);
    if (!gone) {
      this.client.destroy();
      await this.closed;
    }
  }
}

function flush(decoder: StringDecoder, on?: (chunk: string) => void): string {
  const rest = decoder.end();
  if (rest) on?.(rest);
  return rest;
}
