import type { components } from '@octokit/openapi-types';
import { EkidenError } from '../errors';
import { httpFailureOf, toGitHubApiError, GitHubApiError } from './api-errors';
import { connectGitHub, type GitHubConnection } from './auth';
import type {
  DeleteOutcome,
  GitHubClient,
  JitRunner,
  RegistrationToken,
  RunnerDeletionReason,
  RunnerRecord,
} from './github-client';
import { scopeLabel, type GitHubSettings } from './github-config';
import { paginateRoute } from './paginate';
import { scopeRoutes, type ScopeRoutes } from './scope';
import type { TransportOptions } from './transport';

type ApiRunner = components['schemas']['runner'];
type ApiRunnerGroup = components['schemas']['runner-groups-org'];
type ApiRunnerApplication = components['schemas']['runner-application'];

export interface RunnerDeletion {
  id: number;
  name: string;
  reason: RunnerDeletionReason;
  status: 204 | 404 | 422;
}

export interface OctokitClientOptions {
  /** Every runner DELETE GitHub answered (telemetry `ekiden.github.runner.deletions`). */
  onRunnerDeleted?: (d: RunnerDeletion) => void;
  /** Timeout of the generate-jitconfig POST, after which the name is checked for an orphan. Default 30 s. */
  jitTimeoutMs?: number;
}

export function toRunnerRecord(r: ApiRunner): RunnerRecord {
  return {
    id: r.id,
    name: r.name,
    os: r.os,
    status: r.status === 'online' ? 'online' : 'offline',
    busy: r.busy,
    ephemeral: r.ephemeral,
    version: (r as { version?: string | null }).version ?? null,
    labels: (r.labels ?? []).map((l) => ({ id: l.id, name: l.name, type: l.type })),
    runner_group_id: r.runner_group_id,
  };
}

const RUNNER_TARBALL = /^actions-runner-osx-arm64-(\d+\.\d+\.\d+)\.tar\.gz$/;

/** The latest osx/arm64 runner version named by a `…/runners/downloads` answer, or null. */
export function latestVersionFromDownloads(apps: Pick<ApiRunnerApplication, 'os' | 'architecture' | 'filename'>[]): string | null {
  const app = apps.find((a) => a.os === 'osx' && a.architecture === 'arm64');
  return app ? (RUNNER_TARBALL.exec(app.filename)?.[1] ?? null) : null;
}

/** Picks the configured group: '' -> the `default:true` group, else a case-insensitive name match. */
export function pickRunnerGroup(groups: Pick<ApiRunnerGroup, 'id' | 'name' | 'default'>[], name: string | undefined): number | null {
  const wanted = (name ?? '').trim().toLowerCase();
  const group = wanted ? groups.find((g) => g.name.toLowerCase() === wanted) : groups.find((g) => g.default);
  return group ? group.id : null;
}

/**
 * True when generate-jitconfig is missing on a GHES server (404 there), so the caller falls back to a
 * registration token + `config.sh` (github.md §8.7). A scope that is really invisible fails again there.
 */
export function isJitUnavailable(e: unknown, client: Pick<OctokitGitHubClient, 'connection'>): boolean {
  return client.connection.endpoints.ghes && e instanceof GitHubApiError && e.operation === 'generate-jitconfig' && e.status === 404;
}

/** GitHubClient on @octokit/rest, for repo, org and enterprise scope (github.md §2, §5, §8). */
export class OctokitGitHubClient implements GitHubClient {
  readonly runnerUrl: string;
  private readonly routes: ScopeRoutes;
  private groupId?: Promise<number>;

  constructor(
    readonly connection: GitHubConnection,
    private readonly opts: OctokitClientOptions = {},
  ) {
    this.runnerUrl = connection.runnerUrl;
    this.routes = scopeRoutes(connection.settings.scope);
  }

  private get octokit() {
    return this.connection.octokit;
  }

  private fail(e: unknown, operation: string): GitHubApiError {
    const c = this.connection;
    return toGitHubApiError(e, { operation, scope: c.settings.scope, credentialKind: c.credentialKind, now: c.clock.now() });
  }

  private async call<T>(operation: string, route: string, params: Record<string, unknown> = {}): Promise<T> {
    try {
      const res = await this.octokit.request(route, { ...this.routes.params, ...params });
      return res.data as T;
    } catch (e) {
      throw this.fail(e, operation);
    }
  }

  runnerGroupId(): Promise<number> {
    // A failed lookup is not cached: the next cycle asks again.
    this.groupId ??= this.lookUpRunnerGroup().catch((e: unknown) => {
      this.groupId = undefined;
      throw e;
    });
    return this.groupId;
  }

  private async lookUpRunnerGroup(): Promise<number> {
    const route = this.routes.runnerGroups;
    if (!route) return 1; // repo runners always live in the Default group
    let groups: ApiRunnerGroup[];
    try {
      groups = await paginateRoute<ApiRunnerGroup>(this.octokit, route, this.routes.params, 'runner_groups');
    } catch (e) {
      throw this.fail(e, 'list-runner-groups');
    }
    const name = this.connection.settings.runnerGroup;
    const id = pickRunnerGroup(groups, name);
    if (id !== null) return id;
    const known = groups.map((g) => g.name).join(', ') || 'none';
    throw new EkidenError(
      'config_invalid',
      name?.trim()
        ? `runner.group "${name}" does not exist in ${scopeLabel(this.connection.settings.scope)} (groups: ${known})`
        : `runner.group is empty and ${scopeLabel(this.connection.settings.scope)} has no default runner group`,
    );
  }

  async createJitRunner(req: { name: string; labels: string[]; runnerGroupId: number; workFolder: string }): Promise<JitRunner> {
    const route = this.routes.runners('POST', '/generate-jitconfig');
    try {
      const res = await this.octokit.request(route, {
        ...this.routes.params,
        name: req.name,
        runner_group_id: req.runnerGroupId,
        labels: req.labels,
        work_folder: req.workFolder,
        // Never a blind retry: the first attempt may have created the runner (runs-on/runs-on#30).
        request: { retries: 0, signal: AbortSignal.timeout(this.opts.jitTimeoutMs ?? 30_000) },
      });
      const data = res.data as { runner: ApiRunner; encoded_jit_config: string };
      this.connection.options.onSecret?.(data.encoded_jit_config);
      return { runner: toRunnerRecord(data.runner), encodedJitConfig: data.encoded_jit_config };
    } catch (e) {
      const error = this.fail(e, 'generate-jitconfig');
      const status = httpFailureOf(e).status;
      if (status === undefined || status === 409 || status >= 500) {
        await this.removeJitOrphan(req.name);
        if (status === 409) throw error;
        // The answer was lost, so the name may be taken: the caller mints again under a new name.
        const what = status === undefined ? 'got no answer' : `answered ${status}`;
        throw new GitHubApiError('github_5xx', `generate-jitconfig ${what}; runner name ${req.name} retired, mint again under a new name`, {
          operation: error.operation,
          status: error.status,
          githubMessage: error.githubMessage,
          requestId: error.requestId,
          cause: e,
        });
      }
      throw error;
    }
  }

  /** After a lost or conflicting JIT answer: delete the runner the first attempt may have created, if idle. */
  private async removeJitOrphan(name: string): Promise<void> {
    const log = this.connection.logger;
    try {
      const orphan = await this.findRunnerByName(name);
      if (!orphan) return;
      if (orphan.busy) {
        log.log('warn', `runner ${name} (id ${orphan.id}) left by a failed generate-jitconfig is busy; leaving it`);
        return;
      }
      const outcome = await this.deleteRunner(orphan.id, { reason: 'jit_orphan', name });
      log.log('info', `runner ${name} (id ${orphan.id}) left by a failed generate-jitconfig: ${outcome}`);
    } catch (e) {
      // The sweep deletes it later; the caller still gets the original failure.
      log.log('warn', `could not clean up runner ${name} after a failed generate-jitconfig: ${(e as Error).message}`);
    }
  }

  async createRegistrationToken(): Promise<RegistrationToken> {
    const data = await this.call<{ token: string; expires_at: string }>('registration-token', this.routes.runners('POST', '/registration-token'));
    this.connection.options.onSecret?.(data.token);
    return { token: data.token, expiresAt: data.expires_at };
  }

  async getRunner(id: number): Promise<RunnerRecord | null> {
    try {
      const res = await this.octokit.request(this.routes.runners('GET', '/{runner_id}'), { ...this.routes.params, runner_id: id });
      return toRunnerRecord(res.data as ApiRunner);
    } catch (e) {
      if (httpFailureOf(e).status === 404) return null;
      throw this.fail(e, 'get-runner');
    }
  }

  async findRunnerByName(name: string): Promise<RunnerRecord | null> {
    const data = await this.call<{ runners: ApiRunner[] }>('find-runner', this.routes.runners('GET'), { name, per_page: 100 });
    const runners = data.runners ?? [];
    const found = runners.find((r) => r.name === name) ?? runners.find((r) => r.name.toLowerCase() === name.toLowerCase());
    return found ? toRunnerRecord(found) : null;
  }

  async deleteRunner(id: number, opts: { reason?: RunnerDeletionReason; name?: string } = {}): Promise<DeleteOutcome> {
    let status: 204 | 404 | 422;
    try {
      await this.octokit.request(this.routes.runners('DELETE', '/{runner_id}'), { ...this.routes.params, runner_id: id });
      status = 204;
    } catch (e) {
      const s = httpFailureOf(e).status;
      if (s !== 404 && s !== 422) throw this.fail(e, 'delete-runner');
      status = s;
    }
    this.opts.onRunnerDeleted?.({ id, name: opts.name ?? '', reason: opts.reason ?? 'teardown', status });
    return status === 204 ? 'deleted' : status === 404 ? 'not-found' : 'busy';
  }

  async listRunners(filter: { namePrefix?: string } = {}): Promise<RunnerRecord[]> {
    let runners: ApiRunner[];
    try {
      runners = await paginateRoute<ApiRunner>(this.octokit, this.routes.runners('GET'), this.routes.params, 'runners');
    } catch (e) {
      throw this.fail(e, 'list-runners');
    }
    const prefix = filter.namePrefix;
    return runners.filter((r) => !prefix || r.name.startsWith(prefix)).map(toRunnerRecord);
  }

  async latestRunnerVersion(): Promise<string | null> {
    const apps = await this.call<ApiRunnerApplication[]>('runner-downloads', this.routes.runners('GET', '/downloads'));
    return latestVersionFromDownloads(Array.isArray(apps) ? apps : []);
  }
}

/** Connects (resolving the App installation when needed) and returns the client. */
export async function createGitHubClient(
  settings: GitHubSettings,
  transport: TransportOptions = {},
  opts: OctokitClientOptions = {},
): Promise<OctokitGitHubClient> {
  return new OctokitGitHubClient(await connectGitHub(settings, transport), opts);
}
