// Ekiden's configuration: one zod schema gives the types, the defaults and the messages.
import { z } from 'zod';
import { absolutePath, choice, flag, httpUrl, list, msg, numberIn, optionalText, section, text } from './fields';
import { githubSchema } from './github-schema';
import { defaultHostId, HOST_ID, HOST_ID_MAX } from './host-id';
import { imageSchema } from './image-schema';
import { secretRef } from './secret-ref';
import { guestSchema, vmSchema } from './vm-schema';

/** Labels every runner gets; `runner.labels` adds to these. */
export const BUILTIN_LABELS = ['self-hosted', 'macOS', 'ARM64'] as const;
/** generate-jitconfig takes at most 100 labels. */
const MAX_EXTRA_LABELS = 100 - BUILTIN_LABELS.length;

const runnerSchema = section(
  {
    labels: list(
      text('use labels without commas, e.g. "xcode-16"', {
        maxLength: 256,
        pattern: /^[^,]+$/,
        patternProblem: 'must not contain a comma',
      }),
      'set extra labels as a list, e.g. ["xcode-16"]',
    )
      .max(MAX_EXTRA_LABELS, {
        error: msg(`must have at most ${MAX_EXTRA_LABELS} labels`, 'GitHub takes 100 per runner and Ekiden adds 3'),
      })
      .default([])
      .describe('Extra runner labels. self-hosted, macOS and ARM64 are always added.'),
    group: optionalText('set the runner group name, or "" for the default group')
      .default('')
      .describe('Runner group (org and enterprise scope), matched case-insensitively; "" = the default group.'),
    workFolder: text('set the job work folder, e.g. "_work"')
      .default('_work')
      .describe("The runner's work folder, relative to the runner directory in the guest."),
    registration: choice(['jit', 'token'], 'use "jit" (recommended) or "token" (config.sh with a registration token)')
      .default('jit')
      .describe('"jit": just-in-time configs; on GHES a 404 falls back to a registration token automatically. "token": always config.sh.'),
    disableUpdate: flag('set true to stop runner self-updates (keep the image current instead)')
      .default(false)
      .describe('Pass --disableupdate on the registration-token path. JIT runners cannot disable updates.'),
  },
  'set runner to an object, e.g. {"labels": ["xcode-16"]}',
).describe('How runners register and are named.');

const seconds = (what: string, fallback: number) =>
  numberIn(`set ${what} in seconds, e.g. ${fallback}`, { min: 1, unit: 'seconds' }).default(fallback);

const timeoutsSchema = section(
  {
    pull: seconds('the image pull bound', 3600).describe('tart pull, including large first downloads.'),
    clone: seconds('the clone bound', 600).describe('tart clone and tart set.'),
    boot: seconds('the boot bound', 120).describe('tart run until the VM reads running.'),
    ip: seconds('the IP bound', 120).describe('Until tart ip prints an address.'),
    connect: seconds('the guest connect bound', 180).describe('Until a guest command succeeds.'),
    register: seconds('the registration bound', 300).describe('JIT config to "Listening for Jobs".'),
    idle: seconds('the idle TTL', 3600).describe('A listening runner with no job is recycled after this.'),
    job: seconds('the maximum job duration', 21600).describe('A longer job is cancelled and its VM deleted.'),
    finishing: seconds('the finishing bound', 300).describe('Job done until run.sh exits.'),
    stop: seconds('the stop bound', 30).describe('tart stop --timeout.'),
    delete: seconds('the delete bound', 60).describe('tart delete.'),
  },
  'set timeouts in seconds, e.g. {"boot": 120}',
).describe('Bounds of each phase, in seconds.');

const backoffSchema = section(
  {
    initialSeconds: numberIn('set the first retry delay in seconds, e.g. 5', { min: 1, unit: 'seconds' })
      .default(5)
      .describe('First retry delay of a failing slot; doubles per failure.'),
    maxSeconds: numberIn('set the longest retry delay in seconds, e.g. 300', { min: 1, unit: 'seconds' })
      .default(300)
      .describe('Cap of the retry delay.'),
    jitter: numberIn('set a jitter fraction between 0 and 1, e.g. 0.2', { min: 0, max: 1, integer: false })
      .default(0.2)
      .describe('Random spread of each delay (0.2 = ±20 %).'),
    breakerFailures: numberIn('set how many failures open the breaker, e.g. 5', { min: 1 })
      .default(5)
      .describe('Failures within breakerWindowMinutes that pause the slot with a visible error.'),
    breakerWindowMinutes: numberIn('set the breaker window in minutes, e.g. 10', { min: 1, unit: 'minutes' })
      .default(10)
      .describe('Window over which breakerFailures are counted.'),
    hostRebootAfter: numberIn('set how many VM-limit errors with none of ours running mean "reboot", e.g. 5', { min: 1 })
      .default(5)
      .describe('Consecutive VM-limit errors (none of our VMs running) before "host reboot needed".'),
    hostRetrySeconds: numberIn('set the first re-check of a host-wide problem in seconds, e.g. 30', { min: 1, unit: 'seconds' })
      .default(30)
      .describe('First re-check of a host-wide problem (disk full, keychain locked, credentials rejected...); doubles while it persists.'),
    hostRetryMaxSeconds: numberIn('set the longest wait between re-checks of a host-wide problem in seconds, e.g. 600', { min: 1, unit: 'seconds' })
      .default(600)
      .describe('Cap of the re-check interval of a host-wide problem.'),
  },
  'set backoff to an object, e.g. {"initialSeconds": 5}',
)
  .superRefine((backoff, ctx) => {
    if (backoff.maxSeconds < backoff.initialSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxSeconds'],
        message: msg('must be at least backoff.initialSeconds', `raise it to ${backoff.initialSeconds} or more`),
      });
    }
    if (backoff.hostRetryMaxSeconds < backoff.hostRetrySeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['hostRetryMaxSeconds'],
        message: msg('must be at least backoff.hostRetrySeconds', `raise it to ${backoff.hostRetrySeconds} or more`),
      });
    }
  })
  .describe('Retry and circuit-breaker behaviour of failing slots.');

const tartSchema = section(
  {
    path: absolutePath('set the absolute path of the tart binary, e.g. "/opt/homebrew/bin/tart"')
      .default('/opt/homebrew/bin/tart')
      .describe('tart is spawned by absolute path, never looked up in PATH.'),
    home: absolutePath('set TART_HOME, e.g. "/Users/ci/.tart", or leave it out for ~/.tart')
      .optional()
      .describe('TART_HOME (VMs and image cache); ~/.tart when absent.'),
  },
  'set tart to an object, e.g. {"path": "/opt/homebrew/bin/tart"}',
).describe('The tart CLI.');

const telemetrySchema = section(
  {
    endpoint: httpUrl('set the OTLP/HTTP base URL, e.g. "http://localhost:4318" or "https://otlp-gateway-<zone>.grafana.net/otlp"', (url) =>
      /\/v1\/(metrics|logs|traces)\/?$/.test(url.pathname) ? 'must be the base URL: Ekiden appends /v1/metrics' : undefined,
    )
      .optional()
      .describe('OTLP/HTTP endpoint base; /v1/metrics is appended. Absent = no export.'),
    authorization: secretRef({ env: 'EKIDEN_OTLP_AUTHORIZATION', keychain: 'otlp-authorization' })
      .optional()
      .describe('The whole Authorization header value, e.g. "Basic <base64(instanceId:token)>" for Grafana Cloud.'),
    exportIntervalSeconds: numberIn('set the export interval between 10 and 60 seconds, e.g. 30', {
      min: 10,
      max: 60,
      unit: 'seconds',
    })
      .default(30)
      .describe('Seconds between metric exports.'),
    environment: text('set a deployment environment name, e.g. "production"', { maxLength: 64 })
      .optional()
      .describe('deployment.environment.name resource attribute.'),
    logs: flag('set true to also export logs over OTLP').default(false).describe('Export logs over OTLP as well.'),
  },
  'set telemetry to {"endpoint": "http://localhost:4318"}',
)
  .superRefine((telemetry, ctx) => {
    if (telemetry.authorization && !telemetry.endpoint) {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message: msg('required when telemetry.authorization is set', 'set the OTLP endpoint or remove the authorization'),
      });
    }
  })
  .describe('OTLP metrics export (off unless endpoint is set).');

export const configSchema = section(
  {
    $schema: z.string({ error: 'must be a string — the path or URL of config.schema.json' }).optional().describe('Path or URL of config.schema.json, for editors.'),
    hostId: text('use lower-case letters, digits and "-", e.g. "mac-mini-3"', {
      maxLength: HOST_ID_MAX,
      pattern: HOST_ID,
      patternProblem: 'must be lower-case letters, digits and "-"',
    })
      .default(() => defaultHostId())
      .describe('This host in VM and runner names (ekiden-<host>-<slot>-<id>); default: the lower-cased short host name.'),
    github: githubSchema,
    runner: runnerSchema.prefault({}),
    image: imageSchema,
    vm: vmSchema.prefault({}),
    guest: guestSchema.prefault({}),
    timeouts: timeoutsSchema.prefault({}),
    backoff: backoffSchema.prefault({}),
    tart: tartSchema.prefault({}),
    telemetry: telemetrySchema.prefault({}),
    reconcileIntervalSeconds: numberIn('set the reconcile interval in seconds, e.g. 30', { min: 1, unit: 'seconds' })
      .default(30)
      .describe('How often desired slots are reconciled with tart list and live children.'),
    sweepIntervalMinutes: numberIn('set the runner sweep interval in minutes, e.g. 10', { min: 1, unit: 'minutes' })
      .default(10)
      .describe('How often offline runners of this host are deleted from GitHub.'),
  },
  'the configuration must be a JSON object (see config.example.json)',
);

/** A valid configuration with every default filled in. */
export type EkidenConfig = z.output<typeof configSchema>;
/** What an operator writes (defaults optional); what saveConfig stores. */
export type EkidenConfigInput = z.input<typeof configSchema>;
export type GitHubScope = EkidenConfig['github']['scope'];
export type GitHubAuth = EkidenConfig['github']['auth'];
