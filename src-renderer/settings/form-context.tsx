// What every field of the settings form reads: the draft, its issues by path, managed paths and
// secret statuses; and the one way to change the draft.
import { createContext, useContext } from 'react';
import type { ConfigIssue, SecretStatus } from '../../src-main/ipc/types';
import { isPathWithin, type PathPart } from './json-path';

export interface FormContextValue {
  draft: unknown;
  issues: ConfigIssue[];
  managedPaths: string[];
  secrets: SecretStatus[];
  storedSecrets: string[];
  descriptions: Record<string, string>;
  update(parts: readonly PathPart[], value: unknown): void;
  /** Stores a secret value (write-only) under `name`; resolves when stored. */
  storeSecret(name: string, value: string): Promise<void>;
}

export const FormContext = createContext<FormContextValue | null>(null);

export function useForm(): FormContextValue {
  const form = useContext(FormContext);
  if (!form) throw new Error('useForm outside the settings form');
  return form;
}

export const issuesAt = (form: FormContextValue, path: string) => form.issues.filter((i) => i.path === path);
export const isManaged = (form: FormContextValue, path: string) => form.managedPaths.some((m) => isPathWithin(path, m));
