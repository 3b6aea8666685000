// The `image` section: which VM image, and how it is kept fresh.
import { choice, flag, msg, numberIn, section, text } from './fields';
import { isOciRef, parseOciRef } from './oci-ref';
import { secretRef } from './secret-ref';

const IMAGE_REF_FIX = 'e.g. "ghcr.io/cirruslabs/macos-sequoia-xcode:latest" or "…@sha256:<digest>"';

export const imageSchema = section(
  {
    ref: text(`set the OCI image reference host[:port]/namespace/name[:tag|@sha256:…], ${IMAGE_REF_FIX}`, {
      check: (value) => {
        const parsed = parseOciRef(value);
        return isOciRef(parsed) ? undefined : parsed.problem;
      },
    }).describe('The VM image, as an OCI reference with its registry host.'),
    registry: section(
      {
        username: text('set the registry user name, e.g. "ci-bot"', { requiredFor: 'image.registry' }).describe(
          'Registry user (TART_REGISTRY_USERNAME).',
        ),
        password: secretRef({ env: 'EKIDEN_REGISTRY_PASSWORD', keychain: 'registry-password' }, 'for image.registry').describe(
          'Registry password or token (TART_REGISTRY_PASSWORD).',
        ),
        insecure: flag('set true only for a plain-HTTP registry')
          .default(false)
          .describe('Plain-HTTP registry (tart --insecure).'),
      },
      'set {"username": "…", "password": {"env": "EKIDEN_REGISTRY_PASSWORD"}}, or leave image.registry out',
    )
      .optional()
      .describe('Registry credentials, passed to tart through its env variables; leave out for public images.'),
    pullPolicy: choice(
      ['always-check', 'if-missing', 'pinned'],
      'use "always-check" (follow the tag), "if-missing" or "pinned" (ref with @sha256)',
    )
      .default('always-check')
      .describe(
        '"always-check": pull every checkIntervalMinutes (cheap when unchanged), new digests used from the next clone. ' +
          '"if-missing": pull only when not cached. "pinned": the ref carries @sha256 and never changes.',
      ),
    checkIntervalMinutes: numberIn('set how often to check the registry for a new image, e.g. 15', {
      min: 1,
      unit: 'minutes',
    })
      .default(15)
      .describe('Minutes between scheduled pulls (always-check).'),
    concurrency: numberIn('set the number of parallel layer downloads, e.g. 4 (1 on flaky networks)', { min: 1, max: 64 })
      .default(4)
      .describe('tart pull --concurrency.'),
    cacheBudgetGb: numberIn('set the disk budget for cached images in GB, e.g. 200', { min: 1, unit: 'GB' })
      .default(200)
      .describe('Old images are pruned to keep the tart cache under this size.'),
  },
  'set image to {"ref": "ghcr.io/…"}',
)
  .superRefine((image, ctx) => {
    if (image.pullPolicy === 'pinned' && !image.ref.includes('@sha256:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['pullPolicy'],
        message: msg(
          '"pinned" needs image.ref with a digest',
          'append @sha256:<digest> to image.ref (tart fqn <ref> prints it) or use "always-check"',
        ),
      });
    }
  })
  .describe('The VM image and how it is kept fresh.');
