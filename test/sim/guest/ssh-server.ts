// The guest's SSH server (ssh2): password and public-key auth for admin, `exec` through a login bash,
// env requests, stdin with EOF, exit status or signal. Faults ssh.hang / ssh.auth_fail / ssh.drop act
// per connection, so `times` counts connections.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import ssh2 from 'ssh2';
import type { ParsedKey, ServerChannel } from 'ssh2';
import type { TartHome } from '../tart/home';
import { num, takeFault, type FaultContext } from '../tart/faults';
import { GUEST_PASSWORD, GUEST_USER } from '../tart/guest-spec';
import { attach, guestEnv, spawnInGuest, type GuestRuntime } from './processes';

const { Server, utils } = ssh2;

export interface SshServerOptions {
  home: TartHome;
  rt: GuestRuntime;
  ip: string;
  port: number;
  hostKey: string;
  fctx: FaultContext;
  log: (line: string) => void;
}

function authorizedKeys(home: string): ParsedKey[] {
  let text = '';
  try {
    text = fs.readFileSync(path.join(home, '.ssh', 'authorized_keys'), 'utf8');
  } catch {
    return [];
  }
  const keys: ParsedKey[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const parsed = utils.parseKey(t);
    if (!(parsed instanceof Error)) keys.push(Array.isArray(parsed) ? parsed[0] : parsed);
  }
  return keys;
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function startSshServer(o: SshServerOptions): { close(): void } {
  const sockets = new Set<net.Socket>();
  const server = new Server({ hostKeys: [o.hostKey], ident: 'OpenSSH_9.8' }, (client) => {
    const sock = (client as unknown as { _sock: net.Socket })._sock;
    // Decided once per SSH connection that gets that far (bare TCP probes do not use them up).
    let authFail: boolean | undefined;
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      authFail ??= takeFault(o.home, 'ssh.auth_fail', o.fctx) !== undefined;
      if (authFail || ctx.username !== GUEST_USER) return ctx.reject(['publickey', 'password']);
      if (ctx.method === 'password') return same(ctx.password, GUEST_PASSWORD) ? ctx.accept() : ctx.reject(['publickey', 'password']);
      if (ctx.method === 'publickey') {
        const key = authorizedKeys(o.rt.home).find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
        if (!key) return ctx.reject(['publickey', 'password']);
        if (!ctx.signature || !ctx.blob) return ctx.accept();
        return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject(['publickey', 'password']);
      }
      return ctx.reject(['publickey', 'password']);
    });
    client.on('ready', () => {
      const drop = takeFault(o.home, 'ssh.drop', o.fctx);
      // ssh.drop(afterS): the connection dies under its channels; no exit status reaches the client.
      if (drop) setTimeout(() => sock.destroy(), o.home.scaled(num(drop, 'afterS', 5) * 1000));
      const detachers = new Set<() => void>();
      sock.on('close', () => {
        for (const d of detachers) d();
      });
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        const extraEnv: Record<string, string> = {};
        session.on('env', (accept, _reject, info) => {
          extraEnv[info.key] = info.val;
          accept?.();
        });
        session.on('pty', (accept) => accept?.());
        session.on('window-change', (accept) => accept?.());
        const run = (args: string[], accept: () => ServerChannel): void => {
          const stream = accept();
          const child = spawnInGuest(o.rt, '/bin/bash', args, guestEnv(o.rt, extraEnv));
          const detach = attach(child, {
            stdout: (d) => stream.write(d),
            stderr: (d) => stream.stderr.write(d),
            exit: (code, signal) => {
              detachers.delete(detach);
              if (signal) stream.exit(signal.replace(/^SIG/, ''), false, '');
              else stream.exit(code ?? 255);
              stream.end();
            },
          });
          detachers.add(detach);
          stream.on('data', (d: Buffer) => child.stdin!.write(d));
          stream.on('end', () => child.stdin!.end());
          stream.on('error', () => undefined);
          stream.on('close', () => detach());
        };
        session.on('exec', (accept, _reject, info) => run(['-lc', info.command], accept));
        session.on('shell', (accept) => run(['-l'], accept));
      });
    });
  });

  const tcp = net.createServer((sock) => {
    sock.on('error', () => undefined);
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    // ssh.hang: TCP accepted, no banner, ever.
    if (takeFault(o.home, 'ssh.hang', o.fctx)) {
      o.log(`ssh.hang: holding a connection from ${sock.remoteAddress}`);
      return;
    }
    server.injectSocket(sock);
  });
  let closed = false;
  const listen = (): void => {
    if (closed) return;
    tcp.once('error', (e: NodeJS.ErrnoException) => {
      // Another guest holds this address (net.duplicate_ip) or the route is gone: retry like a booting sshd.
      o.log(`ssh listen ${o.ip}:${o.port} failed: ${e.code}; retrying`);
      setTimeout(listen, 200);
    });
    tcp.listen(o.port, o.ip, () => o.log(`ssh listening on ${o.ip}:${o.port}`));
  };
  listen();
  return {
    close: () => {
      closed = true;
      tcp.close();
      for (const s of sockets) s.destroy();
    },
  };
}
