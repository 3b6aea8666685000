// The thin adapter: applies a TrayModel to Electron's Tray and Menu, at most a few times a second,
// and only what changed (a rebuilt menu is the costly part).
import type { Menu as ElectronMenu, MenuItemConstructorOptions, NativeImage, Tray as ElectronTray } from 'electron';
import path from 'node:path';
import type { AppSnapshot } from '../../ipc/types';
import { showsElapsed, trayModel, type TrayAction, type TrayIcon, type TrayItem, type TrayModel } from './tray-model';

export type TrayLike = Pick<ElectronTray, 'setImage' | 'setTitle' | 'setToolTip' | 'setContextMenu' | 'destroy'>;

export interface TrayDeps {
  createTray(image: NativeImage): TrayLike;
  buildMenu(template: MenuItemConstructorOptions[]): ElectronMenu;
  imageFromPath(file: string): NativeImage;
}

export interface TrayOptions {
  /** assets/tray: <icon>Template.png and @2x beside it (macOS picks the scale). */
  iconDir: string;
  snapshot: () => AppSnapshot;
  onChange: (listener: (s: AppSnapshot) => void) => () => void;
  actions: Record<TrayAction, () => void>;
  quitting: () => boolean;
  now?: () => number;
  /** Minimum time between two applications of the model. Default 250 ms. */
  minIntervalMs?: number;
}

export interface TrayHandle {
  /** The model last applied. */
  readonly model: TrayModel;
  /** Re-reads the snapshot soon (throttled). */
  refresh(): void;
  dispose(): void;
}

export const iconFile = (dir: string, icon: TrayIcon): string => path.join(dir, `${icon}Template.png`);

export function menuTemplate(items: TrayItem[], actions: Record<TrayAction, () => void>): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'checkbox':
        return { id: item.id, label: item.label, type: 'checkbox', checked: item.checked, click: () => actions[item.id]() };
      case 'action':
        return { id: item.id, label: item.label, enabled: item.enabled, click: () => actions[item.id]() };
    }
  });
}

export function registerTray(deps: TrayDeps, o: TrayOptions): TrayHandle {
  const now = o.now ?? Date.now;
  const minInterval = o.minIntervalMs ?? 250;
  const image = (icon: TrayIcon): NativeImage => {
    const img = deps.imageFromPath(iconFile(o.iconDir, icon));
    img.setTemplateImage(true);
    return img;
  };
  let model = trayModel(o.snapshot(), { now: now(), quitting: o.quitting() });
  const tray = deps.createTray(image(model.icon));
  let menuKey = '';
  let lastApplied = 0;
  let timer: NodeJS.Timeout | undefined;

  const apply = (next: TrayModel, force = false) => {
    if (force || next.icon !== model.icon) tray.setImage(image(next.icon));
    if (force || next.title !== model.title) tray.setTitle(next.title);
    if (force || next.tooltip !== model.tooltip) tray.setToolTip(next.tooltip);
    const key = JSON.stringify(next.items);
    if (key !== menuKey) {
      tray.setContextMenu(deps.buildMenu(menuTemplate(next.items, o.actions)));
      menuKey = key;
    }
    model = next;
    lastApplied = now();
  };
  const update = () => {
    timer = undefined;
    apply(trayModel(o.snapshot(), { now: now(), quitting: o.quitting() }));
  };
  const refresh = () => {
    if (timer) return;
    timer = setTimeout(update, Math.max(0, lastApplied + minInterval - now()));
  };
  apply(model, true);
  const stopListening = o.onChange(refresh);
  // Elapsed times move on without events.
  const ticker = setInterval(() => {
    if (showsElapsed(o.snapshot())) refresh();
  }, 1000);
  ticker.unref();

  return {
    get model() {
      return model;
    },
    refresh,
    dispose() {
      clearTimeout(timer);
      clearInterval(ticker);
      stopListening();
      tray.destroy();
    },
  };
}
