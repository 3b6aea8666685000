// The `vm` and `guest` sections: the VMs a host runs, and how Ekiden reaches their guest.
import { z } from 'zod';
import { absolutePath, choice, flag, list, msg, numberIn, section, text, typeProblem } from './fields';
import { secretRef } from './secret-ref';

/** tart run flags that contradict how Ekiden runs VMs, with what to do instead. */
const REFUSED_RUN_ARGS: Record<string, string> = {
  '--graphics': 'VMs always run headless (--no-graphics)',
  '--no-graphics': 'Ekiden always adds it',
  '--vnc': 'VMs run headless; open a console on demand instead',
  '--vnc-experimental': 'VMs run headless; open a console on demand instead',
  '--dir': 'use vm.dirs',
  '--recovery': 'runner VMs boot normally',
};

const dirSchema = section(
  {
    name: text('set the share name, e.g. "caches" (mounted at /Volumes/My Shared Files/<name>)', {
      maxLength: 64,
      pattern: /^[A-Za-z0-9._-]+$/,
      patternProblem: 'must be letters, digits, ".", "_" or "-"',
    }).describe('Share name; the guest sees /Volumes/My Shared Files/<name>.'),
    hostPath: absolutePath('set the host directory to share, e.g. "/Users/ci/caches"', {
      check: (value) => (/[:,]/.test(value) ? 'must not contain ":" or "," (tart --dir syntax)' : undefined),
    }).describe('Host directory to share.'),
    readOnly: flag('set false only if jobs must write to the host')
      .default(true)
      .describe('Share read-only (the default): jobs cannot change the host.'),
  },
  'set a share as {"name": "caches", "hostPath": "/Users/ci/caches"}',
);

export const vmSchema = section(
  {
    slots: z
      .number({ error: (iss) => msg(typeProblem(iss.input, '1 or 2'), 'set 1 or 2 VMs per host') })
      .superRefine((value, ctx) => {
        if (value !== 1 && value !== 2) {
          ctx.addIssue({
            code: 'custom',
            message: msg('must be 1 or 2', 'Apple allows two macOS guests per host (other running macOS VMs count too)'),
          });
        }
      })
      .transform((value) => value as 1 | 2)
      .default(2)
      .describe('Concurrent VMs on this host: 1 or 2 (Apple allows two macOS guests).'),
    cpu: numberIn('set the guest CPU count, e.g. 4, or leave it out to keep the image\'s', { min: 1 })
      .optional()
      .describe("Guest CPUs (tart set --cpu); the image's when absent."),
    memoryMb: numberIn('set the guest memory in MB, e.g. 8192, or leave it out to keep the image\'s', {
      min: 1024,
      unit: 'MB',
    })
      .optional()
      .describe("Guest memory in MB (tart set --memory); the image's when absent."),
    diskSizeGb: numberIn('set the guest disk size in GB, e.g. 100, or leave it out (it can only grow)', {
      min: 1,
      unit: 'GB',
    })
      .optional()
      .describe("Guest disk in GB (tart set --disk-size; grow only); the image's when absent."),
    randomMac: flag('keep true: a reused MAC gets a stale DHCP lease')
      .default(true)
      .describe('tart set --random-mac on every clone; turn off only to debug.'),
    dirs: list(dirSchema, 'set shares as a list, e.g. [{"name": "caches", "hostPath": "/Users/ci/caches"}]')
      .superRefine((dirs, ctx) => {
        const seen = new Set<string>();
        dirs.forEach((dir, i) => {
          if (seen.has(dir.name)) {
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: msg('is used twice', 'give each share its own name') });
          }
          seen.add(dir.name);
        });
      })
      .default([])
      .describe('Host directories shared into the guest (tart run --dir), read-only by default.'),
    extraRunArgs: list(text('set tart run flags, e.g. "--net-softnet-allow=10.0.0.0/8"'), 'set a list of tart run flags')
      .superRefine((args, ctx) => {
        args.forEach((arg, i) => {
          const flagName = arg.split('=')[0];
          const why = REFUSED_RUN_ARGS[flagName];
          if (why) ctx.addIssue({ code: 'custom', path: [i], message: msg(`"${flagName}" is not allowed here`, why) });
        });
      })
      .default([])
      .describe('Extra tart run arguments, e.g. softnet flags. Graphics, VNC and --dir are refused.'),
  },
  'set vm to an object, e.g. {"slots": 2}',
).describe('The VMs: how many, their size, and shared directories.');

export const guestSchema = section(
  {
    user: text('set the SSH user of the image, e.g. "admin"', {
      maxLength: 64,
      pattern: /^[A-Za-z_][A-Za-z0-9_.-]*$/,
      patternProblem: 'must be a user name',
    })
      .default('admin')
      .describe('SSH user in the guest (Cirrus images: admin).'),
    password: secretRef({ env: 'EKIDEN_GUEST_PASSWORD', keychain: 'guest-password' })
      .optional()
      .describe("SSH password of the guest user (or use privateKey)."),
    privateKey: secretRef({ env: 'EKIDEN_GUEST_KEY', keychain: 'guest-key' })
      .optional()
      .describe('SSH private key (PEM/OpenSSH) for the guest user (or use password).'),
    port: numberIn('set the SSH port of the guest, e.g. 22', { min: 1, max: 65535 })
      .default(22)
      .describe('SSH port in the guest.'),
    hostKeyPin: text('set the SHA256 fingerprint of the image\'s host key (ssh-keyscan <ip> | ssh-keygen -lf -), or leave it out', {
      pattern: /^SHA256:[A-Za-z0-9+/]{43}$/,
      patternProblem: 'must look like "SHA256:" + 43 base64 characters',
    })
      .optional()
      .describe("Pinned guest host key fingerprint; absent = trust the key seen first for each VM's life."),
    ipResolver: choice(['dhcp', 'agent'], 'use "dhcp" or "agent" (needs tart-guest-agent in the image)')
      .default('dhcp')
      .describe('How tart ip finds the guest: the DHCP lease file or the guest agent.'),
  },
  'set guest to {"password": {"env": "EKIDEN_GUEST_PASSWORD"}}',
)
  .superRefine((guest, ctx) => {
    if (!guest.password && !guest.privateKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: msg(
          'required unless guest.privateKey is set',
          'reference the SSH password of the guest user, e.g. {"env": "EKIDEN_GUEST_PASSWORD"}, or set guest.privateKey',
        ),
      });
    }
  })
  .describe('How Ekiden reaches the guest over SSH.');
