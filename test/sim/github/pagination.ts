// `per_page` (default 30, max 100) and `page` (default 1) with a `Link` header (github.md §1).
import { createHash } from 'node:crypto';
import type { Ctx } from './http';
import type { Urls } from './render';

export interface Page<T> {
  items: T[];
  link?: string;
}

function positiveInt(v: string | null, fallback: number): number {
  const n = v === null ? Number.NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) && n >= 1 ? n : fallback;
}

export function paginate<T>(ctx: Ctx, urls: Urls, all: T[]): Page<T> {
  const perPage = Math.min(100, positiveInt(ctx.query.get('per_page'), 30));
  const page = positiveInt(ctx.query.get('page'), 1);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  if (last === 1 && page === 1) return { items };
  const url = (p: number) => {
    const q = new URLSearchParams(ctx.query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${urls.api}${ctx.path}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${url(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  if (page > 1) rels.push(`${url(1)}; rel="first"`);
  return { items, link: rels.join(', ') };
}

/** List responses: cacheable for 60 s with an etag; answers 304 to a matching If-None-Match. */
export function sendCachedList(ctx: Ctx, body: unknown, link?: string): void {
  const text = JSON.stringify(body);
  const etag = `W/"${createHash('sha256').update(text).digest('hex').slice(0, 40)}"`;
  const headers: Record<string, string> = {
    'cache-control': 'private, max-age=60, s-maxage=60',
    etag,
    vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
  };
  if (link) headers.link = link;
  if (ctx.header('if-none-match') === etag) return ctx.send(304, undefined, headers);
  ctx.send(200, text, headers);
}
