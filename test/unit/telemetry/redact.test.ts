import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../../src-main/core/telemetry/redact';

const jitConfig = Buffer.from(
  JSON.stringify({
    '.runner': Buffer.from(JSON.stringify({ AgentId: '3', AgentName: 'ekiden-mini-0-abc', PoolId: '1', WorkFolder: '_work' })).toString('base64'),
    '.credentials': Buffer.from(JSON.stringify({ Scheme: 'OAuth', Data: { clientId: 'c0ffee', fakeSecret: 's3cr3t-one-time' } })).toString('base64'),
    '.credentials_rsaparams': Buffer.from('{"d":"x","dp":"y","dq":"z","exponent":"AQAB","inverseQ":"q","modulus":"m","p":"p","q":"q"}').toString('base64'),
  }),
).toString('base64');

const pem = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAvQ3f8R1example0line0one0of0the0private0key0body000',
  'uX2Zexample0line0two0of0the0private0key0body0more0characters00000',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('pattern backstops (telemetry.md §5.2)', () => {
  const redactor = new Redactor();
  it.each([
    ['a classic PAT', 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 used', `token ${REDACTED} used`],
    ['an installation token', 'got ghs_16C7e42F292c6912E7710c838347Ae178B4a!', `got ${REDACTED}!`],
    ['a stateless installation token', 'x ghs_123456_eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln-bmF0_dXJl y', `x ${REDACTED} y`],
    ['OAuth, user and refresh tokens', 'gho_aaaaaaaaaaaaaaaaaaaaaa ghu_bbbbbbbbbbbbbbbbbbbbbb ghr_cccccccccccccccccccccc',
      `${REDACTED} ${REDACTED} ${REDACTED}`],
    ['a fine-grained PAT', 'pat=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', `pat=${REDACTED}`],
    ['a PEM private key', `key:\n${pem}\ndone`, `key:\n${REDACTED}\ndone`],
    ['a PKCS#8 key in one line', 'k=-----BEGIN PRIVATE KEY-----MIIBVQ-----END PRIVATE KEY----- ok', `k=${REDACTED} ok`],
    ['a truncated PEM key', 'oops -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA', `oops ${REDACTED}`],
    ['an authorization header', 'Authorization: token abc123', `Authorization: token ${REDACTED}`],
    ['a bearer header', 'authorization:Bearer eyJ0eXAi.eyJpc3Mi.sig', `authorization:Bearer ${REDACTED}`],
    ['a basic header', 'AUTHORIZATION: Basic MTIzOnRvaw==', `AUTHORIZATION: Basic ${REDACTED}`],
    ['a RemoteAuth header', 'Authorization: RemoteAuth LLBF3JGZDX3P5PMEXLND6TS6FCWO6', `Authorization: RemoteAuth ${REDACTED}`],
    ['a JSON header', '{"authorization":"token abc123","accept":"x"}', `{"authorization":"token ${REDACTED}","accept":"x"}`],
    ['--token', './config.sh --url https://github.com/acme --token LLBF3JGZDX3P5PMEXLND6TS6FCWO6 --ephemeral',
      `./config.sh --url https://github.com/acme --token ${REDACTED} --ephemeral`],
    ['--jitconfig=', 'run.sh --jitconfig=eyJhYmMiOjF9', `run.sh --jitconfig=${REDACTED}`],
    ['--password', 'login --password hunter22', `login --password ${REDACTED}`],
    ['the runner env inputs', 'ACTIONS_RUNNER_INPUT_JITCONFIG=abc ACTIONS_RUNNER_INPUT_TOKEN=def',
      `ACTIONS_RUNNER_INPUT_JITCONFIG=${REDACTED} ACTIONS_RUNNER_INPUT_TOKEN=${REDACTED}`],
    ['a Grafana Cloud token', 'glc_eyJvIjoiMTIzNCIsIm4iOiJla2lkZW4iLCJrIjoiYWJjIn0=', REDACTED],
    ['a JIT config as a base64 run', `config ${jitConfig} end`, `config ${REDACTED} end`],
  ])('redacts %s', (_name, input, expected) => {
    expect(redactor.redact(input)).toBe(expected);
  });

  it.each([
    ['ordinary runner output', '2026-08-17 14:16:02Z: Running job: build (macos, 15)'],
    ['--password-stdin', 'tart login ghcr.io --username bot --password-stdin'],
    ['a short base64 run', `digest sha256:${'ab'.repeat(32)}`],
    ['a 199-char base64 run', 'A'.repeat(199)],
    ['a word that starts like a token', 'ghp_short and github_pat_short'],
    ['an authorization without a scheme', 'authorization: required'],
  ])('leaves %s alone', (_name, input) => {
    expect(redactor.redact(input)).toBe(input);
  });
});

describe('registered values', () => {
  it('redacts a registered value and its base64 and URL-encoded forms', () => {
    const redactor = new Redactor();
    const password = 'p@ss w/rd+42';
    redactor.register(password);
    const b64 = Buffer.from(password).toString('base64');
    const b64url = Buffer.from(password).toString('base64url');
    const encoded = encodeURIComponent(password);
    expect(redactor.redact(`a ${password} b ${b64} c ${b64url} d ${encoded} e`)).toBe(
      `a ${REDACTED} b ${REDACTED} c ${REDACTED} d ${REDACTED} e`,
    );
  });

  it('redacts each line of a registered multi-line secret, as logs arrive line by line', () => {
    const redactor = new Redactor();
    redactor.register(pem);
    const [, line1, line2] = pem.split('\n');
    expect(redactor.redact(`ssh: ${line1}`)).toBe(`ssh: ${REDACTED}`);
    expect(redactor.redact(`${line2}`)).toBe(REDACTED);
  });

  it('prefers the longest registered value over one it contains', () => {
    const redactor = new Redactor();
    redactor.register('abcd');
    redactor.register('abcdefgh');
    expect(redactor.redact('xabcdefghx')).toBe(`x${REDACTED}x`);
  });

  it('stops redacting a value after its last unregister', () => {
    const redactor = new Redactor();
    redactor.register('secret-one');
    redactor.register('secret-one');
    redactor.unregister('secret-one');
    expect(redactor.redact('secret-one')).toBe(REDACTED);
    redactor.unregister('secret-one');
    expect(redactor.redact('secret-one')).toBe('secret-one');
    expect(redactor.size).toBe(0);
  });

  it('escapes regex characters and ignores empty or very short values', () => {
    const redactor = new Redactor();
    redactor.register('a.b*c(d)[e]$1');
    redactor.register('');
    redactor.register('ab');
    expect(redactor.redact('x a.b*c(d)[e]$1 y ab aXbYc')).toBe(`x ${REDACTED} y ab aXbYc`);
  });

  it('redacts exact values first, so a pattern never leaves a partial secret', () => {
    const redactor = new Redactor();
    const token = 'LLBF3JGZDX3P5PMEXLND6TS6FCWO6';
    redactor.register(token);
    expect(redactor.redact(`echo ${token} | ./config.sh --token=${token}`)).toBe(
      `echo ${REDACTED} | ./config.sh --token=${REDACTED}`,
    );
  });
});
