// "Test connection": GitHub (auth, permissions, scope), the image registry, and the guest login,
// each on demand against the saved settings. A guest test may boot a throwaway VM: it takes a while.
import { useState } from 'react';
import type { ConnectionReport, ConnectionTarget } from '../../src-main/ipc/types';
import { CheckRows } from '../components/CheckRows';
import { useEkiden } from '../stores/context';

const TARGETS: { target: ConnectionTarget; label: string; hint: string }[] = [
  { target: 'github', label: 'GitHub', hint: 'credentials, permissions and the runner scope' },
  { target: 'registry', label: 'Registry', hint: 'tart pull of the image' },
  { target: 'guest', label: 'Guest login', hint: 'SSH into a running VM, or boot a test VM from the image' },
];

type Result = { running: true } | { report: ConnectionReport } | { error: string };

export function ConnectionTests({ unsaved }: { unsaved: boolean }) {
  const { api } = useEkiden();
  const [results, setResults] = useState<Partial<Record<ConnectionTarget, Result>>>({});
  const run = (target: ConnectionTarget) => {
    setResults((r) => ({ ...r, [target]: { running: true } }));
    api.invoke('connection:test', { target }).then(
      (report) => setResults((r) => ({ ...r, [target]: { report } })),
      (e: Error) => setResults((r) => ({ ...r, [target]: { error: e.message } })),
    );
  };
  return (
    <section aria-label="Test connection" className="connection-tests">
      <h3>Test connection</h3>
      <p className="muted">{unsaved ? 'Tests use the saved settings: save your changes first.' : 'Tests use the saved settings.'}</p>
      {TARGETS.map(({ target, label, hint }) => {
        const result = results[target];
        const running = !!result && 'running' in result;
        return (
          <div key={target} className="connection-test" data-testid={`connection-${target}`}>
            <button type="button" onClick={() => run(target)} disabled={running || unsaved} title={hint}>
              {running ? `Testing ${label}…` : `Test ${label}`}
            </button>
            {result && 'report' in result && (
              <span className={`badge status-${result.report.status}`} data-testid={`connection-${target}-status`}>{result.report.status}</span>
            )}
            {result && 'error' in result && <span className="error">{result.error}</span>}
            {result && 'report' in result && (
              <CheckRows rows={result.report.rows} label={`${label} test`} />
            )}
          </div>
        );
      })}
    </section>
  );
}
