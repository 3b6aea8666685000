// A secret is never written into the config; the config names where it lives.
import path from 'node:path';
import { z } from 'zod';
import { expandHome, jsonKind, msg, normalizePath } from './fields';
import { SECRET_NAME } from './secret-name';

export type SecretRef = { env: string } | { file: string } | { keychain: string };

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYCHAIN_NAME = SECRET_NAME;

export interface SecretExample {
  /** e.g. EKIDEN_GITHUB_TOKEN */
  env: string;
  /** e.g. github-token */
  keychain: string;
}

function howToReference(ex: SecretExample): string {
  return (
    `reference it instead: {"env": "${ex.env}"}, {"file": "~/.config/ekiden/${ex.keychain}"} (mode 0600) ` +
    `or {"keychain": "${ex.keychain}"} (the Ekiden app's secret store)`
  );
}

/** The problem with a would-be SecretRef, or undefined when it is well-formed. */
function refProblem(value: unknown, ex: SecretExample, requiredFor?: string): { key?: string; message: string } | undefined {
  if (value === undefined) {
    return { message: msg(requiredFor ? `required ${requiredFor}` : 'required', howToReference(ex)) };
  }
  if (typeof value === 'string') {
    return { message: msg('secrets are never written inline in the config', howToReference(ex)) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { message: msg(`must be a secret reference, not ${jsonKind(value)}`, howToReference(ex)) };
  }
  const keys = Object.keys(value);
  if (keys.length !== 1 || !['env', 'file', 'keychain'].includes(keys[0])) {
    return {
      message: msg('must have exactly one of the keys "env", "file" or "keychain"', howToReference(ex)),
    };
  }
  const key = keys[0];
  const v = (value as Record<string, unknown>)[key];
  if (typeof v !== 'string' || v.length === 0) {
    return { key, message: msg(`must be a non-empty string, not ${jsonKind(v)}`, howToReference(ex)) };
  }
  if (key === 'env' && !ENV_NAME.test(v)) {
    return { key, message: msg('must be an environment variable name', `e.g. "${ex.env}"`) };
  }
  if (key === 'file' && !path.isAbsolute(expandHome(v))) {
    return { key, message: msg('must be an absolute path (or start with ~/)', `e.g. "~/.config/ekiden/${ex.keychain}"`) };
  }
  if (key === 'keychain' && !KEYCHAIN_NAME.test(v)) {
    return { key, message: msg('must be an item name of letters, digits, ".", "_" or "-"', `e.g. "${ex.keychain}"`) };
  }
  return undefined;
}

/** A SecretRef field. `requiredFor` words the missing case, e.g. `for auth "pat"`. */
export function secretRef(ex: SecretExample, requiredFor?: string) {
  return z
    .custom<SecretRef>()
    .superRefine((value, ctx) => {
      const problem = refProblem(value, ex, requiredFor);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem.message, path: problem.key ? [problem.key] : [] });
      }
    })
    .transform((ref): SecretRef => ('file' in ref ? { file: normalizePath(expandHome(ref.file)) } : ref));
}

export function describeRef(ref: SecretRef): string {
  if ('env' in ref) return `{"env": "${ref.env}"}`;
  if ('file' in ref) return `{"file": "${ref.file}"}`;
  return `{"keychain": "${ref.keychain}"}`;
}
