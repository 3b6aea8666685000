// Entry: the preload's API in Electron, the web bridge's socket in a browser; then the app.
import { StrictMode, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { App, TABS, type Tab } from './App';
import { resolveApi } from './bridge/ws-api';
import { EkidenProvider, type Ekiden } from './stores/context';
import { createLogStore } from './stores/log-store';
import { createStateStore } from './stores/state-store';
import './styles.css';

let closed: string | undefined;
const closeListeners = new Set<() => void>();
const api = resolveApi((reason) => {
  closed = reason;
  closeListeners.forEach((l) => l());
});
const ekiden: Ekiden = { api, state: createStateStore(api), logs: createLogStore(api) };

function Root() {
  const disconnected = useSyncExternalStore(
    (l) => {
      closeListeners.add(l);
      return () => closeListeners.delete(l);
    },
    () => closed,
  );
  // #logs etc. opens a view directly (handy for screenshots and links from the tray).
  const hash = window.location.hash.slice(1);
  const initialTab = hash in TABS ? (hash as Tab) : 'overview';
  return <App initialTab={initialTab} disconnected={disconnected} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <EkidenProvider value={ekiden}>
      <Root />
    </EkidenProvider>
  </StrictMode>,
);
