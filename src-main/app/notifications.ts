// One notification per host-wide problem (bad credentials, tart missing, reboot needed, a config
// that cannot start): shown when it appears, again only after it was cleared and came back.
import type { NotificationConstructorOptions } from 'electron';
import type { AppSnapshot } from '../ipc/types';

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface NotificationDeps {
  isSupported(): boolean;
  create(options: NotificationConstructorOptions): NotificationLike;
}

export interface NotificationOptions {
  onChange: (listener: (s: AppSnapshot) => void) => () => void;
  onClick(): void;
}

/** The host-wide problem of a snapshot, if any: [key, title, body]. */
export function hostProblem(s: AppSnapshot): [string, string, string] | undefined {
  const e = s.host?.hostError;
  if (e && !s.host?.stopped) return [`host:${e.reason}:${e.message}`, 'Ekiden: all slots are waiting', e.message];
  const p = s.service.problem;
  if (p && s.service.status === 'error') return [`service:${p.name}:${p.message}`, 'Ekiden cannot start', p.message];
  if (p && s.service.status === 'running') return [`service:${p.name}:${p.message}`, 'Ekiden: the saved settings are not applied', p.message];
  return undefined;
}

export function registerNotifications(deps: NotificationDeps, o: NotificationOptions): () => void {
  let shown: string | undefined;
  return o.onChange((s) => {
    const problem = hostProblem(s);
    if (!problem) {
      shown = undefined;
      return;
    }
    const [key, title, body] = problem;
    if (key === shown) return;
    shown = key;
    if (!deps.isSupported()) return;
    const n = deps.create({ title, body: body.split('\n').slice(0, 4).join('\n'), silent: false });
    n.on('click', o.onClick);
    n.show();
  });
}
