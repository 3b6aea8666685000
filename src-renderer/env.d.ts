import type { EkidenApi } from '../src-main/ipc/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser, where the web bridge's socket stands in. */
    ekiden?: EkidenApi;
  }
}
