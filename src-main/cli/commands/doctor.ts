import os from 'node:os';
import { tartHome } from '../../core/config/paths';
import type { EkidenConfig } from '../../core/config/schema';
import type { ResolvedSecrets } from '../../core/config/secrets';
import { githubSettings } from '../../core/ekiden-host';
import { checkGitHubAccess, type AccessCheck } from '../../core/github';
import { dhcpLeasesFile, hostPreflight, type HostCheck } from '../../core/host/preflight';
import { TartCli } from '../../core/host/tart/tart-cli';
import type { CliArgs } from '../args';
import type { CliIo } from '../io';
import { loadHostConfig } from '../load-host-config';

export interface DoctorRow {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skipped';
  message: string;
  fix?: string;
}

/** Disk the first cycle needs beyond the cached image: one VM's writes plus headroom. */
const GROWTH_BUDGET_BYTES = 30e9;

/** `ekiden doctor`: every preflight check with ok / warn / fail and the fix. Exit 1 when any fails. */
export async function doctorCommand(args: CliArgs, io: CliIo): Promise<number> {
  const { config, secrets } = await loadHostConfig(args.config, io.env);
  const rows = await doctorRows(config, secrets, io.env);
  if (args.json) io.stdout(JSON.stringify(rows, null, 2));
  else for (const row of rows) io.stdout(formatRow(row));
  return rows.some((r) => r.status === 'fail') ? 1 : 0;
}

/** Every doctor check of a loaded configuration (the CLI prints them; the app's Doctor shows them). */
export async function doctorRows(config: EkidenConfig, secrets: ResolvedSecrets, env: NodeJS.ProcessEnv): Promise<DoctorRow[]> {
  const home = env.HOME ?? os.homedir();
  const tart = new TartCli({ tartPath: config.tart.path, tartHome: tartHome(config.tart.home, home), home, path: env.PATH ?? '/usr/bin:/bin' });
  const rows: DoctorRow[] = [];
  const hostRows: HostCheck[] = await hostPreflight({ tart, tartHome: tartHome(config.tart.home, home), home, requiredDiskBytes: GROWTH_BUDGET_BYTES, leasesFile: dhcpLeasesFile(env) });
  rows.push(...hostRows.map((r) => ({ check: r.id, status: r.status, message: r.message, fix: r.fix })));
  rows.push({
    check: 'licence',
    status: 'ok',
    message: `this host has ${os.cpus().length} CPU cores; Tart is free up to 100 cores per organisation across all hosts`,
  });
  const github: AccessCheck[] = await checkGitHubAccess(githubSettings(config, secrets), {}).catch((e: Error) => [
    { id: 'github_auth', check: 'credentials', status: 'fail', message: e.message },
  ]);
  rows.push(...github.map((r) => ({ check: `github_${r.check}`, status: r.status, message: r.message, fix: r.fix })));
  rows.push(await imageRow(tart, config.image.ref));
  return rows;
}

async function imageRow(tart: TartCli, ref: string): Promise<DoctorRow> {
  try {
    const fqn = await tart.fqn(ref);
    return { check: 'image', status: 'ok', message: `${ref} is cached as ${fqn}` };
  } catch {
    return { check: 'image', status: 'warn', message: `${ref} is not cached yet; the first cycle pulls it`, fix: `tart pull ${ref} (ahead of time)` };
  }
}

const BADGE: Record<DoctorRow['status'], string> = { ok: '[ ok ]', warn: '[warn]', fail: '[FAIL]', skipped: '[skip]' };

export function formatRow(row: DoctorRow): string {
  return `${BADGE[row.status]} ${row.check.padEnd(22)} ${row.message}${row.fix ? `\n       fix: ${row.fix}` : ''}`;
}
