// The fake `tart` executable (bundled to test/sim/dist/tart.mjs, started by test/sim/bin/tart).
// Same subcommands, flags, streams, messages and exit codes as Tart 2.32.1 (spec/tart.md).
import fs from 'node:fs';
import { parseArgs, usageText, type CommandSpec, type Parsed } from './args';
import { makeCtx, recordEnd, recordStart, writeAll, type Ctx } from './ctx';
import { ExitCode, GenericError, RuntimeError, UsageError } from './errors';
import { TartHome } from './home';
import { gcTmp } from './tmp-dirs';
import * as clone from './commands/clone';
import * as run from './commands/run';
import * as ip from './commands/ip';
import * as stop from './commands/stop';
import * as del from './commands/delete';
import * as list from './commands/list';
import * as get from './commands/get';
import * as set from './commands/set';
import * as pull from './commands/pull';
import * as prune from './commands/prune';
import * as exec from './commands/exec';
import * as misc from './commands/misc';

interface Command {
  spec: CommandSpec;
  run: (ctx: Ctx, p: Parsed) => Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  clone,
  run,
  ip,
  stop,
  delete: del,
  list,
  get,
  set,
  pull,
  prune,
  exec,
  fqn: { spec: misc.fqnSpec, run: misc.fqn },
  suspend: { spec: misc.suspendSpec, run: misc.suspend },
  login: { spec: misc.loginSpec, run: misc.login },
  logout: { spec: misc.logoutSpec, run: misc.logout },
};

/** Commands that skip the tmp/ garbage collection (tart.md §1). */
const NO_GC = new Set(['pull', 'clone']);

const ROOT_USAGE = `OVERVIEW: Tart is a tool to manage virtual machines on Apple devices.

USAGE: tart <subcommand>

OPTIONS:
  --version               Show the version.
  -h, --help              Show help information.

SUBCOMMANDS:
  ${Object.keys(COMMANDS).join('\n  ')}`;

function exit(home: TartHome | undefined, id: string | undefined, code: number): never {
  if (home && id) recordEnd(home, id, code);
  process.exit(code);
}

async function main(): Promise<never> {
  const argv = process.argv.slice(2);
  const env = process.env;
  const home = TartHome.fromEnv(env);
  try {
    home.ensure();
  } catch (e) {
    writeAll(2, `TART_HOME is invalid: ${home.root} does not exist, yet we can't create it: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const id = recordStart(home, argv, env);
  const ctx = makeCtx(home, env);
  const sub = argv[0];

  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    ctx.out(ROOT_USAGE);
    exit(home, id, 0);
  }
  if (sub === '--version') {
    ctx.out(home.config().version);
    exit(home, id, 0);
  }
  const cmd = COMMANDS[sub];
  if (!cmd) {
    ctx.err(sub.startsWith('-') ? `Error: Unknown option '${sub}'` : `Error: Unexpected argument '${sub}'`);
    ctx.err('Usage: tart <subcommand>\n  See \'tart --help\' for more information.');
    exit(home, id, 64);
  }

  try {
    const parsed = parseArgs(cmd.spec, argv.slice(1));
    if (parsed.help) {
      ctx.out(`USAGE: tart ${cmd.spec.name} ${cmd.spec.usage}`);
      exit(home, id, 0);
    }
    if (!NO_GC.has(sub)) gcTmp(ctx);
    await cmd.run(ctx, parsed);
    exit(home, id, 0);
  } catch (e) {
    if (e instanceof ExitCode) exit(home, id, e.code);
    if (e instanceof RuntimeError) {
      ctx.err(e.message);
      exit(home, id, e.exitCode);
    }
    if (e instanceof UsageError) {
      ctx.err(`Error: ${e.message}`);
      ctx.err(usageText(cmd.spec));
      exit(home, id, 64);
    }
    if (e instanceof GenericError) {
      ctx.err(`Error: ${e.message}`);
      exit(home, id, 1);
    }
    // A bug in the simulator: keep it visible, in Tart's generic shape.
    ctx.err(`Error: ${(e as Error).stack ?? e}`);
    try {
      fs.appendFileSync(home.sim('crashes.log'), `${new Date().toISOString()} ${argv.join(' ')}\n${(e as Error).stack}\n`);
    } catch {
      /* best effort */
    }
    exit(home, id, 1);
  }
}

void main();
