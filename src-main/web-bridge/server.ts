// Serves the built renderer on 127.0.0.1 and speaks the IPC contract over a WebSocket, calling the
// same transport-neutral handlers as Electron's ipcMain. For development and tests only: it has no
// sender check beyond "same origin", so it never listens on anything but loopback.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { dispatchInvoke } from '../ipc/dispatch';
import { errorEnvelope, IPC_ERRORS } from '../ipc/envelope';
import { SECURITY_HEADERS } from '../app/security/csp';
import { invokeHandlers } from '../app/service/handlers';
import { PushGate } from '../app/service/push-gate';
import { BRIDGE_SOCKET_PATH, type InvokeFrame, type ServerFrame } from './frames';
import type { BridgeServices } from './services';

export interface WebBridgeOptions {
  services: BridgeServices;
  /** The built renderer (vite's outDir). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface WebBridge {
  url: string;
  /** Closes every socket and the server (the services keep running). */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** A socket that falls this far behind (a stuck tab) is closed rather than buffered without end. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
const HOST = '127.0.0.1';

export async function startWebBridge(o: WebBridgeOptions): Promise<WebBridge> {
  const root = path.resolve(o.rendererDir);
  let origin = '';

  const server = http.createServer((req, res) => {
    void serveFile(root, req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    // Only our own page may drive the host: another site open in the same browser may not.
    if (req.url !== BRIDGE_SOCKET_PATH || req.headers.origin !== origin) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, o.services));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${HOST}:${port}`;

  return {
    url: `${origin}/`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function attach(ws: WebSocket, services: BridgeServices): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(frame));
  };
  // Each page has its own ready gate, as the Electron window has.
  const gate = new PushGate((channel, payload) => send({ push: channel, payload }));
  const unsubscribe = services.subscribe((channel, payload) => gate.send(channel, payload));
  const context = services.contextFor({ ready: () => gate.ready() });

  ws.on('message', (data) => {
    let frame: InvokeFrame;
    try {
      frame = JSON.parse(String(data)) as InvokeFrame;
    } catch {
      ws.close(1003, 'frames are JSON');
      return;
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.id !== 'number') {
      ws.close(1003, 'an invoke frame has a numeric id');
      return;
    }
    dispatchInvoke(invokeHandlers, frame.channel, frame.payload, context, (t) => context.redactor.redact(t)).then(
      (answer) => send({ id: frame.id, answer }),
      (e: Error) => send({ id: frame.id, answer: errorEnvelope(IPC_ERRORS.invalidRequest, e.message) }),
    );
  });
  ws.on('close', () => {
    unsubscribe();
    gate.reset();
  });
}

async function serveFile(root: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const reply = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
    res.end(body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed');
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return reply(400, 'bad path');
  }
  const file = path.resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
  if (!file.startsWith(root + path.sep)) return reply(403, 'forbidden');
  try {
    reply(200, await readFile(file), TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
  } catch {
    reply(404, 'not found');
  }
}
