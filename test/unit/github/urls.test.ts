import { describe, expect, it } from 'vitest';
import { resolveEndpoints, runnerUrlFor } from '../../../src-main/core/github/urls';
import { scopeRoutes } from '../../../src-main/core/github/scope';
import { scopeAttribute, patKind } from '../../../src-main/core/github/github-config';
import { apiPath } from '../../../src-main/core/github/transport';
import { worstStatus } from '../../../src-main/core/github/access-check';

describe('GitHub endpoints (github.md §1)', () => {
  it.each([
    [{}, 'https://api.github.com', 'https://github.com', false],
    [{ serverUrl: 'https://github.com' }, 'https://api.github.com', 'https://github.com', false],
    [{ serverUrl: 'https://www.github.com/' }, 'https://api.github.com', 'https://github.com', false],
    [{ serverUrl: 'https://api.github.com' }, 'https://api.github.com', 'https://github.com', false],
    [{ serverUrl: 'https://octo.ghe.com' }, 'https://api.octo.ghe.com', 'https://octo.ghe.com', false],
    [{ serverUrl: 'https://ghes.example.com' }, 'https://ghes.example.com/api/v3', 'https://ghes.example.com', true],
    [{ serverUrl: 'https://ghes.example.com:8443/some/path' }, 'https://ghes.example.com:8443/api/v3', 'https://ghes.example.com:8443', true],
    [{ apiUrl: 'http://127.0.0.1:4567' }, 'http://127.0.0.1:4567', 'http://127.0.0.1:4567', false],
    [{ apiUrl: 'http://127.0.0.1:4567/api/v3/' }, 'http://127.0.0.1:4567/api/v3', 'http://127.0.0.1:4567', true],
    [{ apiUrl: 'https://api.octo.ghe.com' }, 'https://api.octo.ghe.com', 'https://octo.ghe.com', false],
  ])('%j -> %s', (settings, api, web, ghes) => {
    expect(resolveEndpoints(settings)).toEqual({ apiUrl: api, webUrl: web, ghes });
  });

  it('rejects a URL that is not http(s) with a config error naming the field', () => {
    expect(() => resolveEndpoints({ serverUrl: 'ftp://x' })).toThrow(/github\.serverUrl/);
    expect(() => resolveEndpoints({ apiUrl: 'not a url' })).toThrow(/github\.apiUrl/);
  });

  it('builds the config.sh --url for each scope kind', () => {
    expect(runnerUrlFor('https://github.com', { kind: 'repo', owner: 'acme', repo: 'widgets' })).toBe('https://github.com/acme/widgets');
    expect(runnerUrlFor('https://github.com', { kind: 'org', org: 'acme' })).toBe('https://github.com/acme');
    expect(runnerUrlFor('https://ghes.example.com', { kind: 'enterprise', enterprise: 'big' })).toBe('https://ghes.example.com/enterprises/big');
  });
});

describe('scope routes (github.md §2)', () => {
  it('keeps URL templates per scope, with groups only for org and enterprise', () => {
    const repo = scopeRoutes({ kind: 'repo', owner: 'acme', repo: 'widgets' });
    expect(repo.runners('POST', '/generate-jitconfig')).toBe('POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig');
    expect(repo.params).toEqual({ owner: 'acme', repo: 'widgets' });
    expect(repo.runnerGroups).toBeNull();
    expect(repo.installation).toBe('GET /repos/{owner}/{repo}/installation');
    const org = scopeRoutes({ kind: 'org', org: 'acme' });
    expect(org.runners('DELETE', '/{runner_id}')).toBe('DELETE /orgs/{org}/actions/runners/{runner_id}');
    expect(org.runnerGroups).toBe('GET /orgs/{org}/actions/runner-groups');
    const ent = scopeRoutes({ kind: 'enterprise', enterprise: 'big' });
    expect(ent.runners('GET')).toBe('GET /enterprises/{enterprise}/actions/runners');
    expect(ent.runnerGroups).toBe('GET /enterprises/{enterprise}/actions/runner-groups');
  });

  it('names the scope for telemetry and infers PAT kinds from the prefix', () => {
    expect(scopeAttribute({ kind: 'repo', owner: 'a', repo: 'b' })).toBe('repo:a/b');
    expect(scopeAttribute({ kind: 'enterprise', enterprise: 'e' })).toBe('enterprise:e');
    expect(patKind('github_pat_11ABC')).toBe('fine_grained_pat');
    expect(patKind('ghp_abc')).toBe('classic_pat');
  });
});

describe('request paths for telemetry and auth routing', () => {
  it.each([
    [{ url: '/orgs/{org}/actions/runners' }, '/orgs/{org}/actions/runners'],
    [{ url: '/orgs/{org}/actions/runners?per_page=1' }, '/orgs/{org}/actions/runners'],
    [{ url: 'https://api.github.com/orgs/acme/actions/runners?page=2', baseUrl: 'https://api.github.com' }, '/orgs/acme/actions/runners'],
    [{ url: 'https://ghes.example.com/api/v3/orgs/acme/actions/runners?page=2', baseUrl: 'https://ghes.example.com/api/v3' }, '/orgs/acme/actions/runners'],
  ])('%j -> %s', (options, path) => {
    expect(apiPath(options)).toBe(path);
  });

  it('the doctor reports the worst row', () => {
    const r = (status: 'ok' | 'warn' | 'fail') => ({ id: 'github_auth' as const, check: 'scope' as const, status, message: '' });
    expect(worstStatus([r('ok'), r('warn')])).toBe('warn');
    expect(worstStatus([r('warn'), r('fail'), r('ok')])).toBe('fail');
    expect(worstStatus([])).toBe('ok');
  });
});
