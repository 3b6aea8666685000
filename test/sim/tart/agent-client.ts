// Host side of control.sock: connect (with a bound), resolve the guest's IP, run a command.
import net from 'node:net';
import { onFrames, sendFrame, type AgentFrame } from './agent-protocol';

/** How a failed connect reads in Tart: GRPCConnectionPoolError's localizedDescription (inferred). */
export const POOL_ERROR = 'The operation couldn’t be completed. (GRPC.GRPCConnectionPoolError error 1.)';

export function connectAgent(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(POOL_ERROR));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once('error', () => {
      clearTimeout(timer);
      // gRPC keeps retrying a missing socket until its deadline; the sim fails fast with the same text.
      reject(new Error(POOL_ERROR));
    });
  });
}

/** One ResolveIP call with Tart's 1 s per-attempt timeout. */
export async function agentResolveIp(socketPath: string): Promise<string | undefined> {
  let sock: net.Socket;
  try {
    sock = await connectAgent(socketPath, 1000);
  } catch {
    return undefined;
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(undefined);
    }, 1000);
    onFrames(sock, (f: AgentFrame) => {
      if (f.t === 'ip') {
        clearTimeout(timer);
        sock.destroy();
        resolve(f.ip ?? undefined);
      }
    });
    sock.on('error', () => resolve(undefined));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    sendFrame(sock, { t: 'resolve-ip' });
  });
}
