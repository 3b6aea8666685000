// The `github` section: where the runners register (scope) and with which credential (auth).
import { z } from 'zod';
import { httpUrl, msg, numberIn, section, text, typeProblem } from './fields';
import { secretRef } from './secret-ref';

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const CLIENT_ID = /^Iv[0-9A-Za-z.]{4,}$/;

const SCOPE_FIX =
  'set github.scope to {"kind": "org", "org": "acme"}, {"kind": "repo", "owner": "acme", "repo": "widgets"} ' +
  'or {"kind": "enterprise", "enterprise": "acme-corp"}';

const login = (fix: string, requiredFor: string) =>
  text(fix, {
    requiredFor,
    maxLength: 39,
    pattern: LOGIN,
    patternProblem: 'must be a GitHub login (letters, digits and single "-")',
  });

const repoScope = section(
  {
    kind: z.literal('repo'),
    owner: login('set the repository owner (user or organisation login), e.g. "acme"', 'scope "repo"').describe(
      'Repository owner login.',
    ),
    repo: text('set the repository name without the owner, e.g. "widgets"', {
      requiredFor: 'scope "repo"',
      pattern: REPO_NAME,
      patternProblem: 'must be the bare repository name (letters, digits, ".", "_" or "-"; no owner, no "/")',
    }).describe('Repository name, without the owner.'),
  },
  SCOPE_FIX,
);

const orgScope = section(
  {
    kind: z.literal('org'),
    org: login('set the organisation login, e.g. "acme"', 'scope "org"').describe('Organisation login.'),
  },
  SCOPE_FIX,
);

const enterpriseScope = section(
  {
    kind: z.literal('enterprise'),
    enterprise: text('set the enterprise slug, e.g. "acme-corp"', {
      requiredFor: 'scope "enterprise"',
      pattern: SLUG,
      patternProblem: 'must be an enterprise slug (letters, digits and "-")',
    }).describe('Enterprise slug.'),
  },
  SCOPE_FIX,
);

const scope = z
  .discriminatedUnion('kind', [repoScope, orgScope, enterpriseScope], {
    error: (iss) => {
      if (iss.code !== 'invalid_union') return msg(typeProblem(iss.input, 'an object'), SCOPE_FIX);
      const kind = (iss.input as { kind?: unknown } | undefined)?.kind;
      return msg(kind === undefined ? 'required' : 'must be "repo", "org" or "enterprise"', SCOPE_FIX);
    },
  })
  .describe('Where the runners register: one repository, an organisation, or an enterprise (classic PAT only).');

const AUTH_FIX =
  'set github.auth to {"kind": "app", "appId": 123456, "privateKey": {"env": "EKIDEN_GITHUB_APP_KEY"}} ' +
  'or {"kind": "pat", "token": {"env": "EKIDEN_GITHUB_TOKEN"}}';

const APP_ID_FIX = 'set the GitHub App ID (a number, e.g. 123456) or its client ID (e.g. "Iv23liAbCdEf123456")';

/** The App ID as a number, or the App's client ID ("Iv…"); either is a valid JWT issuer. */
const appId = z
  .union([z.number(), z.string()], {
    error: (iss) => msg(typeProblem(iss.input, 'a number or a client ID string', 'auth "app"'), APP_ID_FIX),
  })
  .superRefine((value, ctx) => {
    const ok =
      typeof value === 'number'
        ? Number.isInteger(value) && value > 0
        : /^[1-9][0-9]*$/.test(value) || CLIENT_ID.test(value);
    if (!ok) ctx.addIssue({ code: 'custom', message: msg('must be a positive App ID or a client ID "Iv…"', APP_ID_FIX) });
  })
  .transform((value) => (typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value))
  .describe('GitHub App ID (number) or client ID ("Iv…"); both work as the JWT issuer.');

const appAuth = section(
  {
    kind: z.literal('app'),
    appId,
    privateKey: secretRef({ env: 'EKIDEN_GITHUB_APP_KEY', keychain: 'github-app-key' }, 'for auth "app"').describe(
      "The App's private key (PEM). PKCS#1 and PKCS#8 both work.",
    ),
    installationId: numberIn('set the installation id from the App\'s installation URL, or leave it out to look it up', {
      min: 1,
    })
      .optional()
      .describe('Installation id; looked up from the scope (GET …/installation) when absent.'),
  },
  AUTH_FIX,
);

const patAuth = section(
  {
    kind: z.literal('pat'),
    token: secretRef({ env: 'EKIDEN_GITHUB_TOKEN', keychain: 'github-token' }, 'for auth "pat"').describe(
      'A fine-grained PAT (repo/org scope) or a classic PAT (needed for enterprise scope).',
    ),
  },
  AUTH_FIX,
);

const auth = z
  .discriminatedUnion('kind', [appAuth, patAuth], {
    error: (iss) => {
      if (iss.code !== 'invalid_union') return msg(typeProblem(iss.input, 'an object'), AUTH_FIX);
      const kind = (iss.input as { kind?: unknown } | undefined)?.kind;
      return msg(kind === undefined ? 'required' : 'must be "app" or "pat"', AUTH_FIX);
    },
  })
  .describe('How Ekiden authenticates: a GitHub App (recommended for repo and org scope) or a PAT.');

const URL_FIX =
  'set the web URL of your GitHub: "https://github.com", "https://<sub>.ghe.com" or "https://github.example.com" (GHES)';

export const githubSchema = section(
  {
    url: httpUrl(URL_FIX, (url) => {
      if (url.pathname.replace(/\/+$/, '') !== '') {
        return url.pathname.startsWith('/api/')
          ? 'is an API URL: give the web URL (the API URL is derived) or set github.apiUrl'
          : 'must be the server URL without a path; put the organisation or repository in github.scope';
      }
      if (url.search || url.hash) return 'must not have a query or fragment';
      return undefined;
    })
      .default('https://github.com')
      .describe('Web URL of GitHub: github.com, GHE.com (https://<sub>.ghe.com) or GHES (https://host).'),
    apiUrl: httpUrl('set the REST API base URL, e.g. "https://github.example.com/api/v3", or leave it out')
      .optional()
      .describe('REST API base URL override. Derived from url when absent (api.<host> or <url>/api/v3).'),
    scope,
    auth,
  },
  'set github to {"scope": {…}, "auth": {…}} (see config.example.json)',
)
  .superRefine((github, ctx) => {
    if (github.scope.kind === 'enterprise' && github.auth.kind === 'app') {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'kind'],
        message: msg(
          'GitHub Apps cannot manage enterprise runners',
          'use a classic PAT with the manage_runners:enterprise scope: {"kind": "pat", "token": {"env": "EKIDEN_GITHUB_TOKEN"}}',
        ),
      });
    }
  })
  .describe('The GitHub server, the scope the runners register in, and the credential.');
