import { EkidenError } from '../errors';

/** One problem in the configuration: the field (`github.scope.org`, '' for the whole file) and what to do. */
export interface ConfigIssue {
  path: string;
  message: string;
  /** The value comes from the organisation's managed preferences (MDM), not the local file. */
  managed?: boolean;
}

/** An invalid configuration or unreadable secrets. Host-wide: nothing starts until it is fixed. */
export class ConfigError extends EkidenError {
  override readonly name = 'ConfigError';

  constructor(
    readonly issues: ConfigIssue[],
    /** What was being read, e.g. the config file path, for the headline. */
    readonly source?: string,
    headline?: string,
  ) {
    super('config_invalid', formatIssues(issues, headline ?? defaultHeadline(issues, source)));
  }
}

function defaultHeadline(issues: ConfigIssue[], source?: string): string {
  const what = source ? `The configuration ${source}` : 'The configuration';
  return `${what} is invalid (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):`;
}

/** Headline, then one line per issue: `  - path: message`. */
export function formatIssues(issues: ConfigIssue[], headline: string): string {
  return [headline, ...issues.map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`)].join('\n');
}

/** `['vm', 'dirs', 0, 'hostPath']` -> `vm.dirs[0].hostPath` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
