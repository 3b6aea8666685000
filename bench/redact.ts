// Redaction throughput (telemetry.md §5.3 budget: 5,000 lines/s with no long task > 50 ms).
// Run: npm run bench -- redact [--quick]
import { Redactor } from '../src-main/core/telemetry/redact';
import { report } from './lib/report';
import { round, runBench } from './lib/ekiden-under-test';

const redactor = new Redactor();
// A realistic registry: a JIT config, tokens, a PEM key, a guest password, an OTLP header.
redactor.register(Buffer.from('x'.repeat(2400)).toString('base64'));
redactor.register('LLBF3JGZDX3P5PMEXLND6TS6FCWO6');
redactor.register(`ghs_${'a'.repeat(36)}`);
redactor.register(['-----BEGIN RSA PRIVATE KEY-----', ...Array.from({ length: 25 }, (_, i) => `${i}`.padEnd(64, 'k')), '-----END RSA PRIVATE KEY-----'].join('\n'));
redactor.register('admin-password');
redactor.register('Basic MTIzNDU2OmdsY19leUp2SWpvaU1USXpOQ0o5');

const lines = [
  '2026-08-17 14:16:02Z: Running job: build (macos, 15)',
  '[2026-08-17 14:16:03.120] [info] [runner] slot=0 vm=ekiden-mini-0-k3x job=build src=runner ▶ xcodebuild -scheme App -destination platform=macOS test',
  'Compiling Swift Module \'App\' (142 sources) in /Users/admin/actions-runner/_work/app/app/Sources/App/ViewModels/SettingsViewModel.swift',
  `curl -H "Authorization: token ghs_${'b'.repeat(36)}" https://api.github.com/repos/acme/app`,
  'Test Case \'-[AppTests.SettingsTests testSavesToKeychain]\' passed (0.042 seconds).',
  `${'0123456789abcdef'.repeat(20)} a long hex run that is not base64 padded`,
];

function run(n: number): { ms: number; worstBatchMs: number } {
  const batch = 500;
  let worst = 0;
  const start = performance.now();
  for (let i = 0; i < n; i += batch) {
    const t0 = performance.now();
    for (let j = 0; j < batch; j++) redactor.redact(lines[(i + j) % lines.length]);
    worst = Math.max(worst, performance.now() - t0);
  }
  return { ms: performance.now() - start, worstBatchMs: worst };
}

runBench('redact', async ({ quick }) => {
  run(10_000); // warm up
  const n = quick ? 50_000 : 200_000;
  const { ms, worstBatchMs } = run(n);
  const perSecond = Math.round((n / ms) * 1000);
  const rows: Record<string, string | number>[] = [
    { measure: `lines/s (${n.toLocaleString('en')} lines)`, value: perSecond },
    { measure: 'worst 500-line batch (ms)', value: round(worstBatchMs) },
  ];
  // Linearity: one 1 MB line costs about as much per byte as many short ones.
  let worstLineMs = 0;
  for (const size of [100_000, 1_000_000]) {
    const big = 'word '.repeat(size / 5);
    const t0 = performance.now();
    redactor.redact(big);
    const lineMs = performance.now() - t0;
    worstLineMs = Math.max(worstLineMs, lineMs);
    rows.push({ measure: `one ${size.toLocaleString('en')}-char line (ms)`, value: round(lineMs) });
  }
  return report({
    bench: 'redact',
    params: { lines: n, registered: redactor.size, quick },
    rows,
    targets: [
      { name: 'redaction throughput', measured: perSecond, unit: 'lines/s', limit: 5_000, kind: 'min' },
      { name: 'longest task: a 500-line batch or one 1 MB line', measured: round(Math.max(worstBatchMs, worstLineMs)), unit: 'ms', limit: 50, kind: 'max' },
    ],
  });
});
