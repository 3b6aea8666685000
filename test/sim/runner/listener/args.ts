// Command-line parsing like the runner's CommandSettings: `--name value` args, boolean flags,
// bare commands; names compared case-insensitively; ACTIONS_RUNNER_INPUT_<NAME> env fallbacks.

const BOOL_FLAGS = new Set([
  'check',
  'commit',
  'disableupdate',
  'ephemeral',
  'generateserviceconfig',
  'help',
  'no-default-labels',
  'once',
  'replace',
  'runasservice',
  'unattended',
  'version',
]);

export interface Parsed {
  commands: string[];
  flags: Set<string>;
  args: Map<string, string>;
}

export function parseArgs(argv: string[]): Parsed {
  const parsed: Parsed = { commands: [], flags: new Set(), args: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i].trim();
    if (!a.startsWith('--')) {
      parsed.commands.push(a.toLowerCase());
      continue;
    }
    const name = a.slice(2).toLowerCase();
    if (BOOL_FLAGS.has(name)) parsed.flags.add(name);
    else parsed.args.set(name, i + 1 < argv.length ? argv[++i] : '');
  }
  return parsed;
}

/** Names given that the command does not take (as the runner prints them: without dashes). */
export function unknownNames(p: Parsed, validFlags: string[], validArgs: string[]): string[] {
  const out: string[] = [];
  for (const f of p.flags) if (!validFlags.includes(f)) out.push(f);
  for (const a of p.args.keys()) if (!validArgs.includes(a)) out.push(a);
  return out;
}

const envName = (name: string) => `ACTIONS_RUNNER_INPUT_${name.replace(/-/g, '_').toUpperCase()}`;

export function argOrEnv(p: Parsed, name: string, env: NodeJS.ProcessEnv): string | undefined {
  return p.args.get(name) ?? env[envName(name)] ?? undefined;
}

export function flagOrEnv(p: Parsed, name: string, env: NodeJS.ProcessEnv): boolean {
  if (p.flags.has(name)) return true;
  const v = env[envName(name)];
  return v !== undefined && ['true', '1', 'y', 'yes'].includes(v.toLowerCase());
}
