// Settings: every field of the config schema, checked as you type by the core's own schema
// (`settings:validate`), saved atomically (`settings:save`). Managed fields are read-only; secrets
// are write-only (`secrets:set`). "Test connection" probes GitHub, the registry and the guest.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApplyMode, ConfigIssue, SettingsView } from '../../src-main/ipc/types';
import { ConnectionTests } from '../settings/ConnectionTests';
import { FormContext, type FormContextValue } from '../settings/form-context';
import { ObjectFields } from '../settings/fields';
import { setAt, type PathPart } from '../settings/json-path';
import type { SchemaNode } from '../settings/schema-node';
import { useEkiden } from '../stores/context';

const VALIDATE_DELAY_MS = 250;

const APPLIES: Record<ApplyMode, string> = {
  'between-cycles': 'the running host takes them before its next cycle',
  'after-restart': 'Ekiden restarts with them once running jobs finish',
  'on-start': 'Ekiden is starting with them',
  'not-applied': 'they cannot be applied yet (see the problem on the Overview)',
};

export function Settings() {
  const { api } = useEkiden();
  const [view, setView] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<string>();
  const [draft, setDraft] = useState<unknown>({});
  const [issues, setIssues] = useState<ConfigIssue[]>([]);
  const [dirty, setDirty] = useState(false);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const validation = useRef({ timer: undefined as ReturnType<typeof setTimeout> | undefined, seq: 0 });

  useEffect(() => {
    api.invoke('settings:get').then(
      (v) => {
        setView(v);
        setDraft(v.input ?? {});
        setIssues(v.issues);
      },
      (e: Error) => setLoadError(e.message),
    );
    return () => clearTimeout(validation.current.timer);
  }, [api]);

  const validate = useCallback(
    (input: unknown) => {
      const v = validation.current;
      clearTimeout(v.timer);
      v.timer = setTimeout(() => {
        const seq = ++v.seq;
        api.invoke('settings:validate', { input: input as Record<string, unknown> }).then(
          (r) => seq === v.seq && setIssues(r.issues),
          (e: Error) => seq === v.seq && setStatus({ text: e.message, error: true }),
        );
      }, VALIDATE_DELAY_MS);
    },
    [api],
  );

  const form = useMemo<FormContextValue | null>(() => {
    if (!view) return null;
    return {
      draft,
      issues,
      managedPaths: view.managedPaths,
      secrets: view.secrets,
      storedSecrets: view.storedSecrets,
      descriptions: view.descriptions,
      update: (parts: readonly PathPart[], value: unknown) => {
        setDraft((d: unknown) => {
          const next = setAt(d, parts, value);
          validate(next);
          return next;
        });
        setDirty(true);
        setStatus(null);
      },
      storeSecret: async (name: string, value: string) => {
        await api.invoke('secrets:set', { name, value });
        const fresh = await api.invoke('settings:get');
        setView((v) => (v ? { ...v, secrets: fresh.secrets, storedSecrets: fresh.storedSecrets } : fresh));
      },
    };
  }, [view, draft, issues, validate, api]);

  if (loadError) return <p className="error">Cannot load the settings: {loadError}</p>;
  if (!view || !form) return <p className="muted">Loading…</p>;

  const save = async () => {
    clearTimeout(validation.current.timer);
    validation.current.seq++;
    setStatus(null);
    try {
      const r = await api.invoke('settings:save', { input: draft as Record<string, unknown> });
      if (r.ok) {
        setIssues([]);
        setDirty(false);
        setStatus({ text: `Saved: ${APPLIES[r.applies]}.`, error: false });
      } else {
        setIssues(r.issues);
        setStatus({ text: `Not saved: ${r.issues.length} ${r.issues.length === 1 ? 'problem' : 'problems'} to fix.`, error: true });
      }
    } catch (e) {
      setStatus({ text: `Not saved: ${(e as Error).message}`, error: true });
    }
  };

  return (
    <FormContext.Provider value={form}>
      <section aria-label="Settings" className="settings">
        <div className="toolbar sticky">
          <span className="muted" title={view.configPath}>{view.configPath}</span>
          {view.managedSources.length > 0 && <span className="badge managed">managed by {view.managedSources.length} profile(s)</span>}
          <span className="spacer" />
          <span className={issues.length ? 'error' : 'ok'} data-testid="settings-validity">
            {issues.length ? `${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}` : 'valid'}
          </span>
          <button type="button" disabled={!dirty} onClick={() => { setDraft(view.input ?? {}); setIssues(view.issues); setDirty(false); }}>
            Revert
          </button>
          <button type="button" className="primary" disabled={!dirty} onClick={() => void save()}>
            Save
          </button>
        </div>
        {status && (
          <p className={status.error ? 'error' : 'ok'} role="status" data-testid="settings-status">
            {status.text}
          </p>
        )}
        {issues.length > 0 && (
          <ul className="issue-summary" aria-label="Problems">
            {issues.map((i, n) => (
              <li key={n}>
                <code>{i.path || '(file)'}</code> {i.message}
              </li>
            ))}
          </ul>
        )}
        <ConnectionTests unsaved={dirty} />
        <form onSubmit={(e) => e.preventDefault()}>
          <ObjectFields node={view.schema as SchemaNode} parts={[]} skip={['$schema']} />
        </form>
      </section>
    </FormContext.Provider>
  );
}
