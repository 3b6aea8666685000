// The GitHub layer's public surface (github.md §8): connect, the client, the doctor check, versions.
export type { GitHubClient, JitRunner, RunnerRecord, RunnerLabel, DeleteOutcome, RunnerDeletionReason, RegistrationToken } from './github-client';
export type { GitHubSettings, GitHubScope, GitHubCredentials, CredentialKind } from './github-config';
export { scopeAttribute, scopeLabel, patKind } from './github-config';
export { connectGitHub, resolveInstallation, validateCredentials, type GitHubConnection, type InstallationInfo } from './auth';
export { OctokitGitHubClient, createGitHubClient, isJitUnavailable, type OctokitClientOptions, type RunnerDeletion } from './octokit-client';
export { GitHubApiError, isGitHubApiError, toGitHubApiError, permissionHint } from './api-errors';
export { checkGitHubAccess, worstStatus, CLOCK_SKEW_WARN_MS, type AccessCheck, type AccessStatus } from './access-check';
export type { TransportOptions, GitHubCallRecord, RateLimitSnapshot } from './transport';
export { resolveEndpoints, runnerUrlFor, type GitHubEndpoints } from './urls';
export * from './runner-version';
