// What the menu-bar item shows, as data: a pure function of the app snapshot, so every state is
// unit-tested without Electron. tray.ts turns the model into a Tray and a Menu.
import type { SlotSnapshot, SlotState } from '../../core/events/types';
import type { AppSnapshot } from '../../ipc/types';

export const TRAY_ICONS = ['idle', 'busy', 'paused', 'error', 'stopped'] as const;
export type TrayIcon = (typeof TRAY_ICONS)[number];

export type TrayAction = 'pause' | 'resume' | 'open' | 'open-logs' | 'toggle-login' | 'quit' | 'stop-now-quit';

export type TrayItem =
  | { type: 'label'; label: string }
  | { type: 'separator' }
  | { type: 'action'; id: TrayAction; label: string; enabled: boolean }
  | { type: 'checkbox'; id: TrayAction; label: string; checked: boolean };

export interface TrayModel {
  icon: TrayIcon;
  /** Next to the icon: busy/total slots, e.g. "1/2"; "" without a host. */
  title: string;
  tooltip: string;
  items: TrayItem[];
}

export interface TrayContext {
  now: number;
  /** Quit was chosen and Ekiden is draining before it exits. */
  quitting: boolean;
}

const BUSY: ReadonlySet<SlotState> = new Set<SlotState>(['running', 'finishing']);

/** A slot runs a job. */
export const isBusy = (s: SlotSnapshot): boolean => BUSY.has(s.state);

export function busySlots(snapshot: AppSnapshot): number {
  return snapshot.host?.slots.filter(isBusy).length ?? 0;
}

/** A slot whose breaker opened: paused on its own with an error while the host is not paused. */
const brokenSlot = (snapshot: AppSnapshot): SlotSnapshot | undefined =>
  snapshot.host && !snapshot.host.paused && !snapshot.host.draining
    ? snapshot.host.slots.find((s) => s.state === 'paused' && s.lastError)
    : undefined;

export function trayIcon(s: AppSnapshot): TrayIcon {
  const status = s.service.status;
  if (status === 'stopped' || status === 'unconfigured' || s.host?.stopped) return 'stopped';
  if (status === 'error' || s.host?.hostError || brokenSlot(s)) return 'error';
  if (status === 'stopping' || s.host?.paused || s.host?.draining) return 'paused';
  return busySlots(s) > 0 ? 'busy' : 'idle';
}

/** 45s, 12m, 1h 05m: seconds only while they matter, so the menu changes at most once a second. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const firstLine = (text: string, max = 80): string => {
  const line = text.split('\n')[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function slotLine(slot: SlotSnapshot, now: number): string {
  // 0-based like the log lines (slot=0) and the core's messages.
  const parts = [`Slot ${slot.slot}: ${slot.state}`];
  if (slot.job) parts.push(firstLine(slot.job.name, 48), formatElapsed(now - slot.job.startedAt));
  else if (slot.state === 'backoff' && slot.retryAt !== undefined) parts.push(`retry in ${formatElapsed(slot.retryAt - now)}`);
  else parts.push(formatElapsed(now - slot.since));
  if (slot.lastError && (slot.state === 'backoff' || slot.state === 'paused')) parts.push(slot.lastError.reason);
  return parts.join(' — ');
}

function headline(s: AppSnapshot, icon: TrayIcon, ctx: TrayContext): string {
  const busy = busySlots(s);
  const problem = s.host?.hostError?.message ?? s.service.problem?.message ?? brokenSlot(s)?.lastError?.message;
  if (ctx.quitting) return busy > 0 ? `Quitting: waiting for ${plural(busy, 'job')}` : 'Quitting: removing VMs and runners';
  switch (s.service.status) {
    case 'unconfigured':
      return 'Not set up yet: open Ekiden to configure';
    case 'starting':
      return 'Starting…';
    case 'restarting':
      return busy > 0 ? `Applying settings after ${plural(busy, 'job')}` : 'Applying settings…';
    case 'stopping':
      return 'Stopping: removing VMs and runners';
    default:
  }
  if (icon === 'stopped') return 'Stopped';
  if (icon === 'error') return `Error: ${firstLine(problem ?? 'see the logs')}`;
  if (s.host?.draining) return busy > 0 ? `Pausing: waiting for ${plural(busy, 'job')}` : 'Pausing…';
  if (icon === 'paused') return 'Paused';
  return busy > 0 ? `${plural(busy, 'job')} running` : 'Listening for jobs';
}

function tooltip(s: AppSnapshot, icon: TrayIcon): string {
  const total = s.host?.slots.length ?? 0;
  if (icon === 'busy' || icon === 'idle') return `Ekiden — ${busySlots(s)} of ${plural(total, 'slot')} busy`;
  return `Ekiden — ${icon}`;
}

export function trayModel(s: AppSnapshot, ctx: TrayContext): TrayModel {
  const icon = trayIcon(s);
  const total = s.host?.slots.length ?? 0;
  const items: TrayItem[] = [{ type: 'label', label: headline(s, icon, ctx) }];
  for (const slot of s.host?.slots ?? []) items.push({ type: 'label', label: slotLine(slot, ctx.now) });
  items.push({ type: 'separator' });
  if (ctx.quitting) {
    items.push({ type: 'action', id: 'stop-now-quit', label: 'Stop Now and Quit', enabled: true });
  } else {
    const running = s.service.status === 'running' && !!s.host && !s.host.stopped;
    if (running && !s.host!.paused && !s.host!.draining) items.push({ type: 'action', id: 'pause', label: 'Pause', enabled: true });
    else items.push({ type: 'action', id: 'resume', label: 'Resume', enabled: s.service.status !== 'starting' && s.service.status !== 'stopping' && s.service.status !== 'unconfigured' });
  }
  items.push(
    { type: 'action', id: 'open', label: 'Open Ekiden', enabled: true },
    { type: 'action', id: 'open-logs', label: 'Open Logs Folder', enabled: true },
    { type: 'checkbox', id: 'toggle-login', label: 'Start at Login', checked: s.app.startAtLogin },
    { type: 'separator' },
    { type: 'action', id: 'quit', label: 'Quit Ekiden', enabled: !ctx.quitting },
  );
  return { icon, title: total > 0 ? `${busySlots(s)}/${total}` : '', tooltip: tooltip(s, icon), items };
}

/** The model changes with time only while a slot shows an elapsed time. */
export const showsElapsed = (s: AppSnapshot): boolean => (s.host?.slots.length ?? 0) > 0 && !s.host?.stopped;
