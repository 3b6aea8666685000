// Secret redaction (telemetry.md §5.2), applied before the ring buffer, files, IPC and OTLP.
// Exact values first, then pattern backstops for secrets nobody registered.

export const REDACTED = '[REDACTED]';

/** Shorter values would blank out ordinary words everywhere; no real credential is this short. */
const MIN_SECRET_LENGTH = 4;
/** Lines of a multi-line secret (a PEM key) are registered too, since logs arrive line by line. */
const MIN_LINE_LENGTH = 16;

interface Backstop {
  pattern: RegExp;
  /** Replacement; `$1` keeps a non-secret prefix such as the flag or header scheme. */
  replacement: string;
}

const B64 = 'A-Za-z0-9+/_-';

/** The backstops of §5.2, in the order they run. All are linear: no nested quantifiers. */
const BACKSTOPS: Backstop[] = [
  // PEM private keys; an unterminated block (a truncated log) is redacted to the end of the text.
  {
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    replacement: REDACTED,
  },
  // GitHub tokens; a stateless installation token (ghs_<appid>_<jwt>) continues with "." and "-".
  { pattern: /\bgh[pousr]_[A-Za-z0-9_]{20,}[A-Za-z0-9_.-]*/g, replacement: REDACTED },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/g, replacement: REDACTED },
  // Authorization headers, also in JSON ("authorization":"token …") and any case.
  {
    pattern: /(authorization["']?\s*[:=]\s*["']?(?:token|bearer|basic|remoteauth)\s+)[^\s"',]+/gi,
    replacement: `$1${REDACTED}`,
  },
  // Secrets on command lines, and the runner's env inputs.
  { pattern: /(--(?:token|jitconfig|password)[ =])\S+/g, replacement: `$1${REDACTED}` },
  { pattern: /(ACTIONS_RUNNER_INPUT_(?:JITCONFIG|TOKEN)=)\S+/g, replacement: `$1${REDACTED}` },
  // Grafana Cloud tokens.
  { pattern: /\bglc_[A-Za-z0-9+/=_-]{20,}/g, replacement: REDACTED },
  // Long base64 runs (JIT configs). The lookbehind makes each run a single attempt.
  { pattern: new RegExp(`(?<![${B64}])[${B64}]{200,}={0,2}`, 'g'), replacement: REDACTED },
];

/** The forms a value takes in logs: as is, base64, base64url and URL-encoded. */
function formsOf(value: string): string[] {
  const forms = new Set<string>();
  const add = (form: string) => {
    if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
  };
  add(value);
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  add(b64);
  add(b64.replace(/=+$/, ''));
  add(Buffer.from(value, 'utf8').toString('base64url'));
  add(encodeURIComponent(value));
  if (value.includes('\n')) {
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= MIN_LINE_LENGTH) add(line.trim());
  }
  return [...forms];
}

export class Redactor {
  /** Registered value -> registration count, so two owners of one value can each unregister. */
  private readonly values = new Map<string, number>();
  /** Every form of every value, longest first; rebuilt lazily after a change. */
  private forms: string[] | null = [];

  /** Registers a secret value: every later `redact` hides it and its encoded forms. */
  register(value: string | undefined | null): void {
    if (!value || value.length < MIN_SECRET_LENGTH) return;
    const count = this.values.get(value) ?? 0;
    this.values.set(value, count + 1);
    if (count === 0) this.forms = null;
  }

  unregister(value: string | undefined | null): void {
    if (!value) return;
    const count = this.values.get(value);
    if (count === undefined) return;
    if (count > 1) this.values.set(value, count - 1);
    else {
      this.values.delete(value);
      this.forms = null;
    }
  }

  /** How many distinct values are registered. */
  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    let out = text;
    // Plain substring search, longest form first so a value wins over its own substrings. A
    // RegExp alternation of all forms would be recompiled on every change: a JIT config comes and
    // goes each cycle, and compiling kilobytes of alternatives cost more than the cycle's logging.
    for (const form of this.exactForms()) if (out.includes(form)) out = out.split(form).join(REDACTED);
    for (const { pattern, replacement } of BACKSTOPS) out = out.replace(pattern, replacement);
    return out;
  }

  private exactForms(): string[] {
    if (!this.forms) {
      const forms = new Set<string>();
      for (const value of this.values.keys()) for (const form of formsOf(value)) forms.add(form);
      this.forms = [...forms].sort((a, b) => b.length - a.length);
    }
    return this.forms;
  }
}
