// A small ArgumentParser look-alike: options anywhere, `--x v` / `--x=v`, combined short flags,
// and the ArgumentParser error texts that exit 64 with a usage line.
import { UsageError } from './errors';

export interface PositionalSpec {
  name: string;
  optional?: boolean;
  variadic?: boolean;
}

export interface CommandSpec {
  name: string;
  /** Usage after `tart <name> `, e.g. `<name> [--wait <wait>]`. */
  usage: string;
  flags?: string[];
  options?: string[];
  /** Options that may repeat (`--dir`, `--disk`). */
  multi?: string[];
  /** Short aliases: `-q` -> `quiet`. */
  short?: Record<string, string>;
  positionals: PositionalSpec[];
  /** Everything after the last positional is passed through untouched (`exec`). */
  passthrough?: boolean;
}

export interface Parsed {
  flags: Set<string>;
  opts: Map<string, string>;
  multi: Map<string, string[]>;
  pos: string[];
  rest: string[];
  help: boolean;
}

export function usageText(spec: CommandSpec): string {
  return `Usage: tart ${spec.name} ${spec.usage}\n  See 'tart ${spec.name} --help' for more information.`;
}

export function parseArgs(spec: CommandSpec, argv: string[]): Parsed {
  const out: Parsed = { flags: new Set(), opts: new Map(), multi: new Map(), pos: [], rest: [], help: false };
  const flags = new Set(spec.flags ?? []);
  const options = new Set(spec.options ?? []);
  const multi = new Set(spec.multi ?? []);
  const lastFixed = spec.positionals.filter((p) => !p.variadic).length;
  let optionsEnded = false;

  const takeValue = (name: string, inline: string | undefined, i: number): [string, number] => {
    if (inline !== undefined) return [inline, i];
    const v = argv[i + 1];
    if (v === undefined) throw new UsageError(`Missing value for '--${name} <${name}>'`);
    return [v, i + 1];
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (spec.passthrough && out.pos.length >= lastFixed) {
      out.rest = argv.slice(i);
      break;
    }
    if (optionsEnded || !a.startsWith('-') || a === '-') {
      out.pos.push(a);
      continue;
    }
    if (a === '--') {
      optionsEnded = true;
      continue;
    }
    if (a === '--help' || a === '-h') {
      out.help = true;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      if (flags.has(name) && inline === undefined) out.flags.add(name);
      else if (options.has(name)) {
        const [v, ni] = takeValue(name, inline, i);
        out.opts.set(name, v);
        i = ni;
      } else if (multi.has(name)) {
        const [v, ni] = takeValue(name, inline, i);
        out.multi.set(name, [...(out.multi.get(name) ?? []), v]);
        i = ni;
      } else throw new UsageError(`Unknown option '${a.split('=')[0]}'`);
      continue;
    }
    // Short form: -q, -t 5, -it
    const letters = a.slice(1);
    for (let j = 0; j < letters.length; j++) {
      const long = spec.short?.[letters[j]];
      if (!long) throw new UsageError(`Unknown option '-${letters[j]}'`);
      if (flags.has(long)) out.flags.add(long);
      else {
        const inline = j < letters.length - 1 ? letters.slice(j + 1) : undefined;
        const [v, ni] = takeValue(long, inline, i);
        out.opts.set(long, v);
        i = ni;
        break;
      }
    }
  }
  if (out.help) return out;

  const required = spec.positionals.filter((p) => !p.optional && !p.variadic);
  if (out.pos.length < required.length) {
    throw new UsageError(`Missing expected argument '<${required[out.pos.length].name}>'`);
  }
  const hasVariadic = spec.positionals.some((p) => p.variadic);
  if (!hasVariadic && out.pos.length > spec.positionals.length) {
    throw new UsageError(`Unexpected argument '${out.pos[spec.positionals.length]}'`);
  }
  if (hasVariadic && !spec.passthrough) {
    const v = spec.positionals.find((p) => p.variadic)!;
    if (!v.optional && out.pos.length < lastFixed + 1) throw new UsageError(`Missing expected argument '<${v.name}> ...'`);
  }
  if (spec.passthrough && out.rest.length === 0) {
    const v = spec.positionals.find((p) => p.variadic);
    if (v && !v.optional) throw new UsageError(`Missing expected argument '<${v.name}> ...'`);
  }
  return out;
}

export function intOption(p: Parsed, name: string, def?: number): number | undefined {
  const raw = p.opts.get(name);
  if (raw === undefined) return def;
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`The value '${raw}' is invalid for '--${name} <${name}>'`);
  return Number(raw);
}
