// `Runner.Listener configure` and `remove` (config.sh; github.md §6.1, §10): the registration-token
// flow through POST /actions/runner-registration and the fake's /_fake/runner/register|remove,
// printing the runner's transcripts.
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { CredentialsFile, RegisterResponse, RunnerRegistrationReply, RunnerSettingsFile } from '../../github/wire';
import { channelBaseFromServerUrl } from '../../github/wire';
import { type Parsed, argOrEnv, flagOrEnv, parseArgs } from './args';
import { ConnectError, HttpClient, type Reply } from './client';
import { isConfigured, readSettings, removeConfigFiles, writeConfigFiles } from './config-files';
import { sleep } from './paths';
import type { Term } from './term';

const ALREADY_CONFIGURED =
  "Cannot configure the runner because it is already configured. To reconfigure the runner, run 'config.cmd remove' or './config.sh remove' first.";

const STATUS_NAMES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad Request'],
  401: ['Unauthorized', 'Unauthorized'],
  403: ['Forbidden', 'Forbidden'],
  404: ['NotFound', 'Not Found'],
  409: ['Conflict', 'Conflict'],
  422: ['UnprocessableEntity', 'Unprocessable Entity'],
  429: ['TooManyRequests', 'Too Many Requests'],
  500: ['InternalServerError', 'Internal Server Error'],
  502: ['BadGateway', 'Bad Gateway'],
  503: ['ServiceUnavailable', 'Service Unavailable'],
};

/** The 80-column registration banner, as the runner prints it. */
export const BANNER = [
  '--------------------------------------------------------------------------------',
  '|        ____ _ _   _   _       _          _        _   _                      |',
  '|       / ___(_) |_| | | |_   _| |__      / \\   ___| |_(_) ___  _ __  ___      |',
  "|      | |  _| | __| |_| | | | | '_ \\    / _ \\ / __| __| |/ _ \\| '_ \\/ __|     |",
  '|      | |_| | | |_|  _  | |_| | |_) |  / ___ \\ (__| |_| | (_) | | | \\__ \\     |',
  '|       \\____|_|\\__|_| |_|\\__,_|_.__/  /_/   \\_\\___|\\__|_|\\___/|_| |_|___/     |',
  '|                                                                              |',
  '|                       Self-hosted runner registration                        |',
  '|                                                                              |',
  '--------------------------------------------------------------------------------',
];

/** actions/runner's rule: github.com-like hosts get `api.` prepended, any other host gets /api/v3. */
export function registrationEndpoint(githubUrl: string): string {
  const u = new URL(githubUrl);
  const host = u.hostname.toLowerCase();
  if (host === 'github.com' || host === 'www.github.com' || host === 'github.localhost') {
    return `${u.protocol}//api.${host.replace(/^www\./, '')}/actions/runner-registration`;
  }
  if (host.endsWith('.ghe.com')) return `${u.protocol}//api.${host}/actions/runner-registration`;
  return `${u.protocol}//${u.host}/api/v3/actions/runner-registration`;
}

type Registration = { ok: true; reply: RunnerRegistrationReply } | { ok: false };

/** POST runner-registration: up to 3 tries, none after a 404; prints the failure transcript. */
async function runnerRegistration(term: Term, client: HttpClient, url: string, token: string, event: 'register' | 'remove'): Promise<Registration> {
  const endpoint = registrationEndpoint(url);
  let last: Reply | Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      last = await client.request('POST', endpoint, {
        body: { url, runner_event: event },
        headers: { authorization: `RemoteAuth ${token}` },
        timeoutMs: 100_000,
      });
      if (last.status >= 200 && last.status < 300) return { ok: true, reply: last.body as unknown as RunnerRegistrationReply };
      if (last.status === 404 || last.status < 500) break;
    } catch (err) {
      if (!(err instanceof ConnectError)) throw err;
      last = err;
    }
    await sleep(client.scaled(1000 * (attempt + 1)));
  }
  if (last instanceof Error || last === undefined) {
    term.error(`An error occurred: ${last?.message ?? 'unknown error'}`);
    return { ok: false };
  }
  const [name, reason] = STATUS_NAMES[last.status] ?? [String(last.status), 'Error'];
  term.error(`Http response code: ${name} from 'POST ${endpoint}' (Request Id: ${String(last.headers['x-github-request-id'] ?? '')})`);
  term.error(last.text);
  term.error(`Response status code does not indicate success: ${last.status} (${reason}).`);
  return { ok: false };
}

function rsaParams(): Record<string, string> {
  const part = () => randomBytes(64).toString('base64');
  return { d: part(), dp: part(), dq: part(), exponent: 'AQAB', inverseQ: part(), modulus: part(), p: part(), q: part() };
}

function required(term: Term, p: Parsed, name: string, env: NodeJS.ProcessEnv): string | null {
  const v = argOrEnv(p, name, env);
  if (v) return v;
  term.error(`Invalid configuration provided for ${name}. Terminating unattended configuration.`);
  return null;
}

export async function configureCommand(term: Term, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const p = parseArgs(argv);
  term.blank();
  for (const line of BANNER) term.line(line);
  term.blank();
  if (isConfigured()) {
    term.error(ALREADY_CONFIGURED);
    return 1;
  }
  const url = required(term, p, 'url', env);
  if (!url) return 1;
  const token = required(term, p, 'token', env);
  if (!token) return 1;
  const labelsArg = argOrEnv(p, 'labels', env);
  const noDefaultLabels = flagOrEnv(p, 'no-default-labels', env);
  if (noDefaultLabels && !labelsArg) {
    term.error('Disabling default labels via --no-default-labels without specifying --labels is not supported');
    return 1;
  }
  const name = argOrEnv(p, 'name', env) || hostname();
  const group = argOrEnv(p, 'runnergroup', env) || undefined;
  const work = argOrEnv(p, 'work', env) || '_work';
  const ephemeral = flagOrEnv(p, 'ephemeral', env);
  const disableUpdate = flagOrEnv(p, 'disableupdate', env);
  const client = new HttpClient();

  term.section('Authentication');
  const reg = await runnerRegistration(term, client, url, token, 'register');
  if (!reg.ok) return 1;
  term.success('Connected to GitHub');

  term.section('Runner Registration');
  const base = channelBaseFromServerUrl(reg.reply.url);
  let res: Reply;
  try {
    res = await client.request('POST', `${base}/_fake/runner/register`, {
      body: {
        adminToken: reg.reply.token,
        name,
        labels: labelsArg ? labelsArg.split(',').map((l) => l.trim()).filter(Boolean) : [],
        runnerGroup: group,
        ephemeral,
        replace: p.flags.has('replace') || flagOrEnv(p, 'replace', env),
        disableUpdate,
        noDefaultLabels,
        workFolder: work,
      },
    });
  } catch (err) {
    term.error(`An error occurred: ${(err as Error).message}`);
    return 1;
  }
  if (res.status === 409) {
    term.line('A runner exists with the same name');
    term.error(`A runner exists with the same name ${name}.`);
    return 1;
  }
  if (res.status === 404) {
    term.error(`Could not find any self-hosted runner group named "${group ?? 'Default'}".`);
    return 1;
  }
  if (res.status !== 201) {
    term.error(`An error occurred: Response status code does not indicate success: ${res.status}.`);
    return 1;
  }
  const registered = res.body as unknown as RegisterResponse;
  if (registered.replaced) {
    term.line('A runner exists with the same name');
    term.success('Successfully replaced the runner');
  } else term.success('Runner successfully added');
  term.success('Runner connection is good');

  term.section('Runner settings');
  const settings: RunnerSettingsFile = {
    AgentId: registered.agentId,
    AgentName: name,
    PoolId: registered.poolId,
    PoolName: group ?? 'Default',
    ServerUrl: reg.reply.url,
    GitHubUrl: url,
    WorkFolder: work,
    Ephemeral: ephemeral,
    DisableUpdate: disableUpdate,
  };
  const credentials: CredentialsFile = {
    Scheme: 'OAuth',
    Data: {
      clientId: randomUUID(),
      authorizationUrl: `${base}/_fake/runner/token`,
      requireFipsCryptography: 'False',
      fakeSecret: registered.secret,
    },
  };
  writeConfigFiles(settings, credentials, rsaParams());
  term.success('Settings Saved.');
  term.blank();
  return 0;
}

export async function removeCommand(term: Term, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const p = parseArgs(argv);
  if (!isConfigured()) {
    term.error('An error occurred: Not configured. Run config.(sh/cmd) to configure the runner.');
    return 1;
  }
  const settings = readSettings();
  term.section('Runner removal');
  const token = required(term, p, 'token', env);
  if (!token) return 1;
  const client = new HttpClient();
  const reg = await runnerRegistration(term, client, settings.GitHubUrl, token, 'remove');
  if (!reg.ok) return 1;
  try {
    const res = await client.request('POST', `${channelBaseFromServerUrl(reg.reply.url)}/_fake/runner/remove`, {
      body: { adminToken: reg.reply.token, agentId: settings.AgentId },
    });
    if (res.status === 422) {
      term.error(`An error occurred: Bad request - Runner "${settings.AgentName}" is still running a job"`);
      return 1;
    }
    // 404: already gone server-side; the local files still go.
  } catch (err) {
    term.error(`An error occurred: ${(err as Error).message}`);
    return 1;
  }
  term.success('Runner removed successfully');
  removeConfigFiles(term);
  term.blank();
  return 0;
}
