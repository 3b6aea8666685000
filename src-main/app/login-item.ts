// "Start at Login": macOS 13+ registers the app itself as a login item (SMAppService).
import type { App } from 'electron';

export interface LoginItem {
  enabled(): boolean;
  set(enabled: boolean): void;
}

export function loginItem(app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings'>): LoginItem {
  return {
    enabled: () => app.getLoginItemSettings().openAtLogin,
    set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled }),
  };
}
