// Controls: pause (drain) and resume, stop now (asks first: it cancels running jobs), restart a slot,
// open the logs folder.
import { useState } from 'react';
import { useAppState, useEkiden } from '../stores/context';
import { hostMode } from './Overview';

export function Controls() {
  const { api } = useEkiden();
  const snapshot = useAppState((s) => s.snapshot);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [confirmStop, setConfirmStop] = useState(false);

  const run = (label: string, action: () => Promise<unknown>) => {
    setMessage(null);
    action().then(
      () => setMessage({ text: `${label}: requested`, error: false }),
      (e: Error) => setMessage({ text: `${label} failed: ${e.message}`, error: true }),
    );
  };

  const mode = snapshot ? hostMode(snapshot) : 'loading';
  const busy = snapshot?.host?.slots.filter((s) => s.state === 'running' || s.state === 'finishing').length ?? 0;
  const paused = mode === 'paused' || mode === 'pausing';
  return (
    <section aria-label="Controls" className="controls">
      <p>
        Ekiden is <strong data-testid="controls-mode">{mode}</strong>.
      </p>
      <div className="row">
        {paused || mode !== 'running' ? (
          <button onClick={() => run('Resume', () => api.invoke('host:resume'))}>Resume</button>
        ) : (
          <button onClick={() => run('Pause', () => api.invoke('host:pause'))} title="Running jobs finish; no new runner registers">
            Pause
          </button>
        )}
        <button className="danger" onClick={() => setConfirmStop(true)} disabled={confirmStop}>
          Stop now…
        </button>
      </div>
      {confirmStop && (
        <div className="confirm" role="alertdialog" aria-label="Stop now?">
          <p>
            Stop now cancels {busy ? `${busy} running ${busy === 1 ? 'job' : 'jobs'}` : 'any running job'} and deletes every VM and runner. Stop?
          </p>
          <button
            className="danger"
            onClick={() => {
              setConfirmStop(false);
              run('Stop now', () => api.invoke('host:stop-now'));
            }}
          >
            Stop now
          </button>
          <button onClick={() => setConfirmStop(false)}>Cancel</button>
        </div>
      )}
      <h3>Logs</h3>
      <div className="row">
        <button
          onClick={() => {
            setMessage(null);
            api.invoke('app:open-logs-folder').then(
              (r) => setMessage({ text: `Opened ${r.path}`, error: false }),
              (e: Error) => setMessage({ text: `Open logs folder failed: ${e.message}`, error: true }),
            );
          }}
        >
          Open logs folder
        </button>
      </div>
      <h3>Slots</h3>
      <ul className="slot-controls">
        {snapshot?.host?.slots.map((s) => (
          <li key={s.slot}>
            Slot {s.slot}: <span className="state">{s.state}</span>{' '}
            <button onClick={() => run(`Restart slot ${s.slot}`, () => api.invoke('slot:restart', { slot: s.slot }))} title="Tears the VM down and starts a fresh one">
              Restart slot {s.slot}
            </button>
          </li>
        ))}
      </ul>
      {message && (
        <p className={message.error ? 'error' : 'muted'} role="status" data-testid="controls-message">
          {message.text}
        </p>
      )}
    </section>
  );
}
