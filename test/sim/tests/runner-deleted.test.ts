// Registration deleted while the runner listens (variants A and B) or before it connects
// (variant C): github.md §6.4 and §10 step 7; field-failures #7, #34.
import { beforeEach, describe, expect, it } from 'vitest';
import { type RepoWorld, mintJit, raw } from './github-harness';
import { REGISTRATION_DELETED, type RunnerHome, useRunnerWorld } from './runner-harness';

const VARIANT_B_MESSAGE = 'Registration 9ab1c2d3 was not found or is not medium trust.';

const ctx = useRunnerWorld();
let world: RepoWorld;
let home: RunnerHome;
beforeEach(() => ({ world, home } = ctx));

const deleteRunner = (id: number) => raw(world.gh.apiUrl, 'DELETE', `/repos/acme/app/actions/runners/${id}`, { auth: `token ${world.fineGrained}` });

describe('a runner whose registration is deleted while it listens', () => {
  it('variant A: cleans up its local configuration and exits 0', async () => {
    const { id, jit } = await mintJit(world, 'ekiden-h-0-a');
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    await proc.waitFor(/Listening for Jobs$/);
    expect((await deleteRunner(id)).status).toBe(204);
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual(['The runner no longer exists on the server. Cleaning up local configuration.']);
    expect(proc.out()).toEqual([
      '',
      '√ Connected to GitHub',
      '',
      "Current runner version: '2.336.0'",
      '<ts>: Listening for Jobs',
      '√ Removed .credentials',
      '√ Removed .runner',
      'Runner listener exit with 0 return code, stop the service, no retry needed.',
      'Exiting runner...',
    ]);
  });

  it('variant B: fails, restarts, finds the registration deleted, exits 0', async () => {
    await world.gh.setFault('runner.delete_variant_b', { message: VARIANT_B_MESSAGE });
    const { id, jit } = await mintJit(world, 'ekiden-h-0-b');
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    await proc.waitFor(/Listening for Jobs$/);
    expect((await deleteRunner(id)).status).toBe(204);
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual([`An error occurred: ${VARIANT_B_MESSAGE}`, REGISTRATION_DELETED]);
    expect(proc.out()).toEqual([
      '',
      '√ Connected to GitHub',
      '',
      "Current runner version: '2.336.0'",
      '<ts>: Listening for Jobs',
      'Runner listener exit with retryable error, re-launch runner in 5 seconds.',
      'Restarting runner...',
      '',
      '√ Connected to GitHub',
      '',
      'Runner listener exit with terminated error, stop the service, no retry needed.',
      'Exiting runner...',
    ]);
  });

  it('server-side removal while listening looks like variant A', async () => {
    const { id, jit } = await mintJit(world, 'ekiden-h-0-srv');
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    await proc.waitFor(/Listening for Jobs$/);
    await world.gh.deleteRunnerServerSide(id);
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual(['The runner no longer exists on the server. Cleaning up local configuration.']);
  });
});

describe('a runner whose registration is gone before it connects', () => {
  it('variant C (no record at all): "no longer exists ... reconfigure", terminated, exit 0', async () => {
    const { id, jit } = await mintJit(world, 'ekiden-h-0-c');
    await world.gh.deleteRunnerServerSide(id);
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual(['The runner no longer exists on the server. Please reconfigure the runner.', 'Failed to create session. Runner not found']);
    expect(proc.out()).toEqual([
      '',
      '√ Connected to GitHub',
      '',
      'Runner listener exit with terminated error, stop the service, no retry needed.',
      'Exiting runner...',
    ]);
  });

  it('deleted through REST before it connects: "registration has been deleted"', async () => {
    const { id, jit } = await mintJit(world, 'ekiden-h-0-d');
    expect((await deleteRunner(id)).status).toBe(204);
    const proc = home.start('run.sh', [], { ACTIONS_RUNNER_INPUT_JITCONFIG: jit });
    expect(await proc.exited).toBe(0);
    expect(proc.err()).toEqual([REGISTRATION_DELETED]);
  });
});
