// The Tart Guest Agent stand-in on control.sock: Exec (not a login shell, the agent's own env) and ResolveIP.
import fs from 'node:fs';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { b64, onFrames, sendFrame, unb64 } from '../tart/agent-protocol';
import { attach, guestEnv, spawnInGuest, type GuestRuntime } from './processes';

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

export function startAgent(socketPath: string, rt: GuestRuntime, currentIp: () => string | undefined): { close(): void } {
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((sock) => {
    sock.on('error', () => undefined);
    let child: ChildProcess | undefined;
    let detach: (() => void) | undefined;
    sock.on('close', () => detach?.());
    onFrames(sock, (f) => {
      switch (f.t) {
        case 'resolve-ip':
          sendFrame(sock, { t: 'ip', ip: currentIp() ?? null });
          break;
        case 'exec': {
          let spawnFailed = false;
          child = spawnInGuest(rt, f.name, f.args, guestEnv(rt));
          child.on('error', (e: NodeJS.ErrnoException) => {
            if (e.code !== 'ENOENT') return;
            spawnFailed = true;
            // The agent is a Go program: this is os/exec's wording.
            sendFrame(sock, { t: 'error', message: `exec: "${f.name}": executable file not found in $PATH` });
          });
          detach = attach(child, {
            stdout: (d) => sendFrame(sock, { t: 'stdout', data: b64(d) }),
            stderr: (d) => spawnFailed || sendFrame(sock, { t: 'stderr', data: b64(d) }),
            exit: (code, signal) => {
              if (!spawnFailed) sendFrame(sock, { t: 'exit', code: signal ? 128 + (SIGNALS[signal] ?? 0) : (code ?? 1) });
            },
          });
          if (!f.interactive) child.stdin!.end();
          break;
        }
        case 'stdin':
          if (child?.stdin?.writable) child.stdin.write(unb64(f.data));
          break;
        case 'stdin-eof':
          child?.stdin?.end();
          break;
        default:
          break;
      }
    });
  });
  server.listen(socketPath);
  return {
    close: () => {
      server.close();
      fs.rmSync(socketPath, { force: true });
    },
  };
}
