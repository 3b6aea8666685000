// Field builders for the config schema. Every message reads `<problem> — <fix>`, so an operator
// sees what is wrong and what to write instead; the loader prefixes the field path.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** How a JSON value reads in a message ("a number", "null", ...). Never echoes the value. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

/** "required" for a missing value, else what the value should have been. */
export function typeProblem(input: unknown, expected: string, requiredFor?: string): string {
  if (input === undefined) return requiredFor ? `required for ${requiredFor}` : 'required';
  return `must be ${expected}, not ${jsonKind(input)}`;
}

export const msg = (problem: string, fix: string): string => `${problem} — ${fix}`;

interface TextRules {
  /** Phrase after "required for", e.g. `scope "org"`. */
  requiredFor?: string;
  maxLength?: number;
  pattern?: RegExp;
  /** Problem text when `pattern` does not match. */
  patternProblem?: string;
  /** Extra check returning a problem, run after the pattern. */
  check?: (value: string) => string | undefined;
}

/** A non-empty string. One message per field: the first rule that fails. */
export function text(fix: string, rules: TextRules = {}) {
  return z
    .string({ error: (iss) => msg(typeProblem(iss.input, 'a string', rules.requiredFor), fix) })
    .superRefine((value, ctx) => {
      const problem = textProblem(value, rules);
      if (problem) ctx.addIssue({ code: 'custom', message: msg(problem, fix) });
    });
}

function textProblem(value: string, rules: TextRules): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.trim() !== value) return 'must not start or end with spaces';
  if (rules.maxLength !== undefined && value.length > rules.maxLength) {
    return `must be at most ${rules.maxLength} characters`;
  }
  if (rules.pattern && !rules.pattern.test(value)) return rules.patternProblem ?? 'has an invalid format';
  return rules.check?.(value);
}

/** A string that may be empty (e.g. the runner group, where '' means the default group). */
export function optionalText(fix: string) {
  return z.string({ error: (iss) => msg(typeProblem(iss.input, 'a string'), fix) });
}

interface NumberRules {
  min?: number;
  max?: number;
  /** Whole numbers only (the default). */
  integer?: boolean;
  unit?: string;
}

export function numberIn(fix: string, rules: NumberRules = {}) {
  const integer = rules.integer ?? true;
  const noun = integer ? 'a whole number' : 'a number';
  const unit = rules.unit ? ` ${rules.unit}` : '';
  const amount = (n: number): string => `${n}${n === 1 ? unit.replace(/s$/, '') : unit}`;
  return z.number({ error: (iss) => msg(typeProblem(iss.input, noun), fix) }).superRefine((value, ctx) => {
    let problem: string | undefined;
    if (integer && !Number.isInteger(value)) problem = `must be a whole number${unit ? ` of${unit}` : ''}`;
    else if (rules.min !== undefined && value < rules.min) problem = `must be at least ${amount(rules.min)}`;
    else if (rules.max !== undefined && value > rules.max) problem = `must be at most ${amount(rules.max)}`;
    if (problem) ctx.addIssue({ code: 'custom', message: msg(problem, fix) });
  });
}

export function flag(fix: string) {
  return z.boolean({ error: (iss) => msg(typeProblem(iss.input, 'true or false'), fix) });
}

const quoteList = (values: readonly (string | number)[]): string => {
  const quoted = values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v)));
  return quoted.length <= 2 ? quoted.join(' or ') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
};

export function choice<const T extends readonly [string, ...string[]]>(values: T, fix: string) {
  return z.enum(values, {
    error: (iss) => msg(iss.input === undefined ? 'required' : `must be ${quoteList(values)}`, fix),
  });
}

/** Expands a leading `~/` so operators can write home-relative paths. */
export function expandHome(p: string, home = os.homedir()): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/** Normalised, without a trailing slash (except the root). */
export function normalizePath(p: string): string {
  const n = path.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** An absolute path (or `~/…`), returned absolute. */
export function absolutePath(fix: string, rules: Omit<TextRules, 'pattern' | 'patternProblem'> = {}) {
  return text(fix, {
    ...rules,
    check: (value) =>
      path.isAbsolute(expandHome(value)) ? rules.check?.(value) : 'must be an absolute path (or start with ~/)',
  }).transform((value) => normalizePath(expandHome(value)));
}

export function httpUrl(fix: string, check?: (url: URL) => string | undefined) {
  return text(fix, {
    check: (value) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return 'must be a URL';
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// (or http://)';
      if (url.username || url.password) return 'must not contain credentials';
      return check?.(url);
    },
  }).transform((value) => value.replace(/\/+$/, ''));
}

/** Levenshtein distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  const list = `known keys here: ${known.join(', ')}`;
  if (keys.length === 1) {
    const key = keys[0].toLowerCase();
    const best = known
      .map((k) => ({ k, d: distance(key, k.toLowerCase()) }))
      .sort((x, y) => x.d - y.d)[0];
    if (best && best.d <= Math.max(2, Math.floor(key.length / 3))) {
      return msg('unknown key', `did you mean "${best.k}"? (${list})`);
    }
  }
  return msg('unknown key', `remove it or fix its spelling (${list})`);
}

/** An object that rejects unknown keys; the loader reports one issue per unknown key. */
export function section<S extends z.ZodRawShape>(shape: S, fix: string) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? unknownKeysMessage(iss.keys, known)
        : msg(typeProblem(iss.input, 'an object'), fix),
  });
}

/** A list of items; the element schema carries its own messages. */
export function list<T extends z.ZodType>(element: T, fix: string) {
  return z.array(element, { error: (iss) => msg(typeProblem(iss.input, 'a list [...]'), fix) });
}
