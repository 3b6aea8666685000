// One form control per kind of schema node. Empty inputs remove the key, so the schema's default
// applies; text that is not a number stays text, so the schema's own message explains it.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { formatPath, getAt, type PathPart } from './json-path';
import { issuesAt, isManaged, useForm } from './form-context';
import { isSecretRef, kindVariants, typesOf, type SchemaNode } from './schema-node';
import { SecretField } from './SecretField';

interface FieldProps {
  name: string;
  node: SchemaNode;
  parts: PathPart[];
  required?: boolean;
}

export function ObjectFields({ node, parts, skip = [] }: { node: SchemaNode; parts: PathPart[]; skip?: string[] }) {
  return (
    <>
      {Object.entries(node.properties ?? {})
        .filter(([key]) => !skip.includes(key))
        .map(([key, child]) => (
          <Field key={key} name={key} node={child} parts={[...parts, key]} required={node.required?.includes(key)} />
        ))}
    </>
  );
}

export function Field(props: FieldProps) {
  const { node } = props;
  if (isSecretRef(node)) return <SecretField {...props} />;
  if (kindVariants(node)) return <KindField {...props} />;
  const types = typesOf(node);
  if (types.includes('object') && node.properties) return <Section {...props} />;
  if (types.includes('array') && node.items) {
    return typesOf(node.items).includes('object') ? <ObjectList {...props} /> : <LinesField {...props} />;
  }
  if (node.enum) return <EnumField {...props} />;
  if (types.includes('boolean')) return <BooleanField {...props} />;
  if (types.includes('number') || types.includes('integer')) return <TextField {...props} numeric />;
  return <TextField {...props} />;
}

/** Label, help text, the schema's messages for this path, and a managed badge around a control. */
export function FieldShell(p: FieldProps & { id: string; children: ReactNode }) {
  const form = useForm();
  const path = formatPath(p.parts);
  const issues = issuesAt(form, path);
  const help = p.node.description ?? form.descriptions[path];
  return (
    <div className={`field${issues.length ? ' invalid' : ''}`} data-path={path}>
      <label htmlFor={p.id}>
        {p.name}
        {p.required && <span className="required" title="required"> *</span>}
        {isManaged(form, path) && <span className="badge managed" title="Set by your organisation (MDM); read-only here"> managed</span>}
      </label>
      {p.children}
      {help && <p className="help">{help}</p>}
      {issues.map((i, n) => (
        <p key={n} className="issue" role="alert" id={`${p.id}-issue`} data-testid={`issue-${path}`}>
          {i.message}
        </p>
      ))}
    </div>
  );
}

function useFieldState(parts: PathPart[]) {
  const form = useForm();
  const path = formatPath(parts);
  return {
    form,
    path,
    value: getAt(form.draft, parts),
    managed: isManaged(form, path),
    invalid: issuesAt(form, path).length > 0,
    set: (v: unknown) => form.update(parts, v),
  };
}

const shown = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** A number when the text is one; other text is kept, so the schema names the problem (or accepts it, e.g. an App client ID). */
function parseNumber(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : text;
}

function TextField(p: FieldProps & { numeric?: boolean }) {
  const id = useId();
  const { value, managed, invalid, set, path } = useFieldState(p.parts);
  // Local text, so "1." or "-" can be typed on the way to a number.
  const [text, setText] = useState(shown(value));
  useEffect(() => {
    const parsed = p.numeric ? parseNumber(text) : text === '' ? undefined : text;
    if (parsed !== value) setText(shown(value));
    // Only an outside change (revert, load) resets the text.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <FieldShell {...p} id={id}>
      <input
        id={id}
        name={path}
        inputMode={p.numeric ? 'decimal' : undefined}
        value={text}
        placeholder={p.node.default !== undefined ? `default: ${shown(p.node.default)}` : undefined}
        disabled={managed}
        aria-invalid={invalid}
        onChange={(e) => {
          setText(e.target.value);
          set(p.numeric ? parseNumber(e.target.value) : e.target.value === '' ? undefined : e.target.value);
        }}
      />
    </FieldShell>
  );
}

function EnumField(p: FieldProps) {
  const id = useId();
  const { value, managed, invalid, set, path } = useFieldState(p.parts);
  const options = (p.node.enum ?? []).map(String);
  return (
    <FieldShell {...p} id={id}>
      <select id={id} name={path} value={value === undefined ? '' : String(value)} disabled={managed} aria-invalid={invalid} onChange={(e) => set(e.target.value || undefined)}>
        <option value="">{p.node.default !== undefined ? `default (${String(p.node.default)})` : '—'}</option>
        {options.map((o) => (
          <option key={o} value={o}>{o}</option>
        ))}
      </select>
    </FieldShell>
  );
}

function BooleanField(p: FieldProps) {
  const id = useId();
  const { value, managed, invalid, set, path } = useFieldState(p.parts);
  return (
    <FieldShell {...p} id={id}>
      <select
        id={id}
        name={path}
        value={value === undefined ? '' : value ? 'on' : 'off'}
        disabled={managed}
        aria-invalid={invalid}
        onChange={(e) => set(e.target.value === '' ? undefined : e.target.value === 'on')}
      >
        <option value="">{p.node.default !== undefined ? `default (${p.node.default ? 'on' : 'off'})` : '—'}</option>
        <option value="on">on</option>
        <option value="off">off</option>
      </select>
    </FieldShell>
  );
}

/** A list of strings, one per line. */
function LinesField(p: FieldProps) {
  const id = useId();
  const { value, managed, invalid, set, path } = useFieldState(p.parts);
  const [text, setText] = useState(Array.isArray(value) ? value.join('\n') : '');
  return (
    <FieldShell {...p} id={id}>
      <textarea
        id={id}
        name={path}
        rows={Math.min(6, Math.max(2, text.split('\n').length))}
        value={text}
        placeholder="one per line"
        disabled={managed}
        aria-invalid={invalid}
        onChange={(e) => {
          setText(e.target.value);
          const items = e.target.value.split('\n').map((l) => l.trim()).filter(Boolean);
          set(items.length ? items : undefined);
        }}
      />
    </FieldShell>
  );
}

function Section(p: FieldProps) {
  const form = useForm();
  const path = formatPath(p.parts);
  const issues = issuesAt(form, path);
  return (
    <fieldset className="section" data-path={path}>
      <legend>
        {p.name}
        {isManaged(form, path) && <span className="badge managed"> managed</span>}
      </legend>
      {p.node.description && <p className="help">{p.node.description}</p>}
      {issues.map((i, n) => (
        <p key={n} className="issue" role="alert" data-testid={`issue-${path}`}>{i.message}</p>
      ))}
      <ObjectFields node={p.node} parts={p.parts} />
    </fieldset>
  );
}

/** A union picked by `kind` (github.scope, github.auth): a select, then the chosen variant's fields. */
function KindField(p: FieldProps) {
  const id = useId();
  const { value, managed, set, path, form } = useFieldState(p.parts);
  const variants = kindVariants(p.node)!;
  const kind = (value as { kind?: unknown } | undefined)?.kind;
  const chosen = variants.find((v) => v.kind === kind);
  return (
    <fieldset className="section" data-path={path}>
      <legend>{p.name}</legend>
      {p.node.description && <p className="help">{p.node.description}</p>}
      <div className="field">
        <label htmlFor={id}>kind</label>
        <select id={id} name={`${path}.kind`} value={typeof kind === 'string' ? kind : ''} disabled={managed} onChange={(e) => set(e.target.value ? { kind: e.target.value } : undefined)}>
          <option value="">—</option>
          {variants.map((v) => (
            <option key={v.kind} value={v.kind}>{v.kind}</option>
          ))}
        </select>
      </div>
      {issuesAt(form, path).map((i, n) => (
        <p key={n} className="issue" role="alert" data-testid={`issue-${path}`}>{i.message}</p>
      ))}
      {chosen && <ObjectFields node={chosen.node} parts={p.parts} skip={['kind']} />}
    </fieldset>
  );
}

/** An array of objects (vm.dirs): each item's fields, with add and remove. */
function ObjectList(p: FieldProps) {
  const { value, managed, set, path, form } = useFieldState(p.parts);
  const items = Array.isArray(value) ? value : [];
  return (
    <fieldset className="section" data-path={path}>
      <legend>{p.name}</legend>
      {p.node.description && <p className="help">{p.node.description}</p>}
      {issuesAt(form, path).map((i, n) => (
        <p key={n} className="issue" role="alert">{i.message}</p>
      ))}
      {items.map((_, i) => (
        <div key={i} className="list-item">
          <ObjectFields node={p.node.items!} parts={[...p.parts, i]} />
          <button type="button" disabled={managed} onClick={() => set(items.length > 1 ? items.filter((_x, j) => j !== i) : undefined)}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" disabled={managed} onClick={() => set([...items, {}])}>
        Add
      </button>
    </fieldset>
  );
}
