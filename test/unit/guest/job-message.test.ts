import { describe, expect, it } from 'vitest';
import { parseJobMessage } from '../../../src-main/core/guest/job-message';

/** The shape the worker traces after `Job message:` (indented JSON; secrets masked; most fields cut here). */
const message = (github: unknown) =>
  JSON.stringify(
    {
      fileTable: ['.github/workflows/ci.yml'],
      mask: [{ type: 'regex', value: '***' }],
      variables: { 'system.github.token': { value: '***', isSecret: true } },
      messageType: 'PipelineAgentJobRequest',
      jobDisplayName: 'build (macos-15, 1)',
      contextData: { github, matrix: { t: 2, d: [{ k: 'os', v: 'macos-15' }] } },
    },
    null,
    2,
  );

const github = (entries: [string, unknown][]) => ({ t: 2, d: entries.map(([k, v]) => ({ k, v })) });

describe('the job message in the worker diagnostics', () => {
  it('gives the repository and a link to the run', () => {
    const text = message(github([['server_url', 'https://github.com'], ['repository', 'octo-org/app.ios'], ['run_id', '11811204851'], ['token', '***']]));
    expect(parseJobMessage(` ${text}\n`)).toEqual({
      repository: 'octo-org/app.ios', runId: '11811204851', runUrl: 'https://github.com/octo-org/app.ios/actions/runs/11811204851',
    });
  });

  it('builds the link on a GHES or GHE.com server URL, without doubling a trailing slash', () => {
    const text = message(github([['server_url', 'https://ghe.example.com/'], ['repository', 'mobile/app'], ['run_id', '42']]));
    expect(parseJobMessage(text)?.runUrl).toBe('https://ghe.example.com/mobile/app/actions/runs/42');
  });

  it.each([
    ['no github context', message(undefined)],
    ['a repository that is not owner/name', message(github([['repository', 'app; rm -rf /'], ['run_id', '1']]))],
    ['a cut message (the worker is still writing)', message(github([['repository', 'octo/app']])).slice(0, 80)],
    ['no JSON at all', 'Job message:'],
  ])('says nothing for %s', (_what, text) => {
    expect(parseJobMessage(text)).toBeUndefined();
  });

  it('keeps the repository but gives no link without a numeric run id or an http(s) server', () => {
    expect(parseJobMessage(message(github([['server_url', 'https://github.com'], ['repository', 'octo/app'], ['run_id', 'x']])))).toEqual({ repository: 'octo/app' });
    expect(parseJobMessage(message(github([['server_url', 'javascript:alert(1)'], ['repository', 'octo/app'], ['run_id', '7']])))).toEqual({ repository: 'octo/app', runId: '7' });
  });
});
