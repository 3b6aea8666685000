// Links leave the app only as https URLs, opened in the user's browser; anything else is refused.
import type { Shell } from 'electron';
import type { Logger } from '../../core/util/logger';

export function safeExternalUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' || u.username || u.password || !u.hostname) return undefined;
    return u.toString();
  } catch {
    return undefined;
  }
}

export function openExternalSafely(shell: Pick<Shell, 'openExternal'>, url: string, log: Logger): boolean {
  const safe = safeExternalUrl(url);
  if (!safe) {
    log.log('warn', `refused to open a link that is not https: ${url.slice(0, 200)}`, { scope: 'app' });
    return false;
  }
  void shell.openExternal(safe);
  return true;
}
