// A secret reference: where the value lives (an app-store name, an environment variable or a file)
// and whether it can be read. A new value can be stored, never shown: the input is cleared once it
// is sent, and nothing reads a value back.
import { useId, useState } from 'react';
import { formatPath, getAt, type PathPart } from './json-path';
import { FieldShell } from './fields';
import { isManaged, issuesAt, useForm } from './form-context';
import { SECRET_KINDS, type SchemaNode, type SecretKind } from './schema-node';

const KIND_LABEL: Record<SecretKind, string> = { keychain: 'Ekiden secret store', env: 'environment variable', file: 'file (mode 0600)' };

export function SecretField(p: { name: string; node: SchemaNode; parts: PathPart[]; required?: boolean }) {
  const id = useId();
  const form = useForm();
  const path = formatPath(p.parts);
  const ref = getAt(form.draft, p.parts) as Partial<Record<SecretKind, string>> | undefined;
  const kind = SECRET_KINDS.find((k) => ref && k in ref);
  const managed = isManaged(form, path);
  const status = form.secrets.find((s) => s.field === path);
  const [value, setValue] = useState('');
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const storeName = kind === 'keychain' && ref?.keychain ? ref.keychain : path;
  const multiline = /privateKey/.test(path);

  const store = async () => {
    const secret = value;
    setValue('');
    try {
      await form.storeSecret(storeName, secret);
      form.update(p.parts, { keychain: storeName });
      setNote({ text: `stored as “${storeName}” in Ekiden's secret store; save the settings to use it`, error: false });
    } catch (e) {
      setNote({ text: (e as Error).message, error: true });
    }
  };

  return (
    <FieldShell {...p} id={id}>
      <div className="secret" data-testid={`secret-${path}`}>
        <div className="row">
          <select
            aria-label={`${path} source`}
            value={kind ?? ''}
            disabled={managed}
            onChange={(e) => form.update(p.parts, e.target.value ? { [e.target.value]: e.target.value === 'keychain' ? path : '' } : undefined)}
          >
            <option value="">not set</option>
            {SECRET_KINDS.map((k) => (
              <option key={k} value={k}>{KIND_LABEL[k]}</option>
            ))}
          </select>
          {kind && (
            <input
              id={id}
              aria-label={`${path} ${kind}`}
              value={ref?.[kind] ?? ''}
              disabled={managed}
              aria-invalid={issuesAt(form, path).length > 0}
              placeholder={kind === 'env' ? 'VARIABLE_NAME' : kind === 'file' ? '/path/to/file' : 'name'}
              onChange={(e) => form.update(p.parts, { [kind]: e.target.value })}
            />
          )}
          {status && (
            <span className={status.set ? 'ok' : 'error'} data-testid={`secret-status-${path}`}>
              {status.set ? 'readable' : `not readable${status.problem ? `: ${status.problem}` : ''}`}
            </span>
          )}
        </div>
        {!managed && (
          <div className="row">
            {multiline ? (
              <textarea aria-label={`new value for ${path}`} rows={2} value={value} autoComplete="off" spellCheck={false} placeholder="paste a new value (write-only)" onChange={(e) => setValue(e.target.value)} />
            ) : (
              <input type="password" aria-label={`new value for ${path}`} value={value} autoComplete="new-password" placeholder="new value (write-only)" onChange={(e) => setValue(e.target.value)} />
            )}
            <button type="button" disabled={!value} onClick={() => void store()}>
              Store
            </button>
          </div>
        )}
        {note && <p className={note.error ? 'error' : 'muted'}>{note.text}</p>}
      </div>
    </FieldShell>
  );
}
