// The window: a tab per view. Stores start once; views only read them.
import { useEffect, useState } from 'react';
import { useAppState, useEkiden } from './stores/context';
import { Controls } from './views/Controls';
import { Doctor } from './views/Doctor';
import { History } from './views/History';
import { Logs } from './views/Logs';
import { hostMode, Overview } from './views/Overview';
import { Settings } from './views/Settings';

export const TABS = { overview: 'Overview', logs: 'Logs', controls: 'Controls', history: 'History', settings: 'Settings', doctor: 'Doctor' } as const;
export type Tab = keyof typeof TABS;

export function App({ initialTab = 'overview', disconnected }: { initialTab?: Tab; disconnected?: string }) {
  const ekiden = useEkiden();
  const [tab, setTab] = useState<Tab>(initialTab);
  const snapshot = useAppState((s) => s.snapshot);
  const stateError = useAppState((s) => s.error);

  // The hash names the view (#logs), so a reload or a link opens the same one.
  useEffect(() => {
    const onHash = () => {
      const h = window.location.hash.slice(1);
      if (h in TABS) setTab(h as Tab);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const open = (t: Tab) => {
    setTab(t);
    if (window.location.hash !== `#${t}`) history.replaceState(null, '', `#${t}`);
  };

  useEffect(() => {
    const offState = ekiden.state.start();
    const offLogs = ekiden.logs.start();
    // Pushes queued in main until now flow from here on (after our listeners are attached).
    ekiden.api.invoke('renderer:ready').catch(() => {});
    return () => {
      offState();
      offLogs();
    };
  }, [ekiden]);

  return (
    <div className="app">
      <nav role="tablist" aria-label="Views">
        <span className="brand">Ekiden</span>
        {(Object.keys(TABS) as Tab[]).map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => open(t)}>
            {TABS[t]}
          </button>
        ))}
        <span className="spacer" />
        {snapshot && <span className={`badge mode-${hostMode(snapshot)}`}>{hostMode(snapshot)}</span>}
      </nav>
      {(disconnected || stateError) && (
        <p className="error banner" role="alert">
          {disconnected ?? stateError}
        </p>
      )}
      <main>
        {tab === 'overview' && <Overview />}
        {tab === 'logs' && <Logs />}
        {tab === 'controls' && <Controls />}
        {tab === 'history' && <History />}
        {tab === 'settings' && <Settings />}
        {tab === 'doctor' && <Doctor />}
      </main>
    </div>
  );
}
