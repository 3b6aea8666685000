// HTTP to the fake GitHub from inside the (simulated) guest. Learns the time scale from every
// response and persists it for run-helper's sleeps. SIM_GUEST_NET=offline makes every request a
// connection error (fault net.guest_offline).
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { TIME_SCALE_HEADER } from '../../github/wire';
import { TIME_SCALE_FILE, file } from './paths';

export class ConnectError extends Error {}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or {} when empty or not JSON. */
  body: Record<string, unknown>;
}

function initialScale(): number {
  const fromEnv = Number(process.env.SIM_TIME_SCALE);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  try {
    const fromFile = Number(readFileSync(file(TIME_SCALE_FILE), 'utf8'));
    if (Number.isFinite(fromFile) && fromFile > 0) return fromFile;
  } catch {
    // not known yet
  }
  return 1;
}

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Resource temporarily unavailable',
  ETIMEDOUT: 'Connection timed out',
};

export class HttpClient {
  private scale = initialScale();

  /** Multiplier for every wait of the runner. */
  get timeScale(): number {
    return this.scale;
  }

  scaled(ms: number): number {
    return ms * this.scale;
  }

  private learnScale(headers: http.IncomingHttpHeaders): void {
    const v = Number(headers[TIME_SCALE_HEADER]);
    if (!Number.isFinite(v) || v <= 0 || v === this.scale) return;
    this.scale = v;
    try {
      writeFileSync(file(TIME_SCALE_FILE), String(v));
    } catch {
      // run-helper then sleeps unscaled
    }
  }

  request(
    method: string,
    url: string,
    opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<Reply> {
    const target = new URL(url);
    const where = `${target.hostname}:${target.port || (target.protocol === 'https:' ? 443 : 80)}`;
    if (process.env.SIM_GUEST_NET === 'offline') {
      return new Promise((_, reject) => setTimeout(() => reject(new ConnectError(`Network is unreachable (${where})`)), 20));
    }
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        target,
        {
          method,
          agent: false,
          headers: {
            accept: 'application/json',
            'user-agent': 'GitHubActionsRunner-linux-x64/2.336.0',
            ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
            ...opts.headers,
          },
          signal: opts.signal,
          timeout: opts.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            this.learnScale(res.headers);
            const text = Buffer.concat(chunks).toString('utf8');
            let body: Record<string, unknown> = {};
            try {
              const v: unknown = text === '' ? {} : JSON.parse(text);
              if (v && typeof v === 'object') body = v as Record<string, unknown>;
            } catch {
              // non-JSON body
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
          });
          res.on('error', (e) => reject(new ConnectError(e.message)));
        },
      );
      req.on('timeout', () => req.destroy(new ConnectError('The HTTP request timed out after 00:01:00')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.name === 'AbortError') return reject(e);
        if (e instanceof ConnectError) return reject(e);
        const text = (e.code && NET_ERRORS[e.code]) || e.message;
        reject(new ConnectError(`${text} (${where})`));
      });
      req.end(payload);
    });
  }
}

export const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';
