// Doctor: the same checks as `ekiden doctor`, on demand.
import { useState } from 'react';
import type { DoctorReport } from '../../src-main/ipc/types';
import { CheckRows } from '../components/CheckRows';
import { useEkiden } from '../stores/context';

export function Doctor() {
  const { api } = useEkiden();
  const [report, setReport] = useState<DoctorReport | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();
  const run = () => {
    setRunning(true);
    setError(undefined);
    api.invoke('doctor:run').then(
      (r) => {
        setReport(r);
        setRunning(false);
      },
      (e: Error) => {
        setError(e.message);
        setRunning(false);
      },
    );
  };
  return (
    <section aria-label="Doctor">
      <button onClick={run} disabled={running}>{running ? 'Checking…' : 'Run checks'}</button>
      {error && <p className="error">{error}</p>}
      {report && (
        <CheckRows rows={report.rows} label="Doctor checks" />
      )}
    </section>
  );
}
