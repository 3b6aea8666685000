// The simulated guest agent's wire format over control.sock (stands in for Tart's gRPC Agent service):
// one JSON object per line, binary data base64-encoded.
import type { Socket } from 'node:net';

export type AgentFrame =
  | { t: 'exec'; name: string; args: string[]; interactive: boolean; tty: boolean }
  | { t: 'stdin'; data: string }
  | { t: 'stdin-eof' }
  | { t: 'stdout'; data: string }
  | { t: 'stderr'; data: string }
  | { t: 'exit'; code: number }
  | { t: 'error'; message: string }
  | { t: 'resolve-ip' }
  | { t: 'ip'; ip: string | null };

export function sendFrame(sock: Socket, f: AgentFrame): void {
  if (!sock.destroyed) sock.write(JSON.stringify(f) + '\n');
}

export function onFrames(sock: Socket, handler: (f: AgentFrame) => void): void {
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line) handler(JSON.parse(line) as AgentFrame);
    }
  });
}

export const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64');
export const unb64 = (data: string): Buffer => Buffer.from(data, 'base64');
