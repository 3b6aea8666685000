// `tart exec` through the simulated guest agent (tart.md §4): passthrough, -i with EOF, timing, failures.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TartSim } from '../tart/index';
import { cleanupAndVerify, cloneVm, IMAGE, newSim, populateMinimal, startVm, waitFor } from './tart-helpers';

let sim: TartSim;

beforeEach(async () => {
  sim = await newSim();
  await sim.publishImage(IMAGE, { populateHome: populateMinimal() });
  await cloneVm(sim, 'vm');
});

afterEach(async () => {
  await cleanupAndVerify(sim);
});

const agentUp = async (): Promise<void> => {
  await waitFor(() => fs.existsSync(`${sim.vmDir('vm')}/control.sock`), 10_000, 'guest agent');
};

describe('tart exec', () => {
  it('passes stdout, stderr and the exit code through', async () => {
    await startVm(sim, 'vm');
    await agentUp();
    expect(await sim.runTart(['exec', 'vm', 'sh', '-c', 'printf out; printf err >&2; exit 5'])).toMatchObject({ code: 5, stdout: 'out', stderr: 'err' });
  });

  it('-i forwards stdin including EOF; without -i the command sees EOF at once', async () => {
    await startVm(sim, 'vm');
    await agentUp();
    const secret = 'jit-config-value\nsecond line';
    expect(await sim.runTart(['exec', '-i', 'vm', 'cat'], { input: secret })).toMatchObject({ code: 0, stdout: secret });
    expect(await sim.runTart(['exec', '-i', 'vm', 'wc', '-c'], { input: 'hello' })).toMatchObject({ code: 0, stdout: '5\n' });
    expect(await sim.runTart(['exec', 'vm', 'cat'], { input: 'ignored' })).toMatchObject({ code: 0, stdout: '' });
  });

  it('is not a login shell: the image profile needs bash -lc', async () => {
    await startVm(sim, 'vm');
    await agentUp();
    expect((await sim.runTart(['exec', 'vm', 'printenv', 'IMAGE_PROFILE'])).code).toBe(1);
    expect((await sim.runTart(['exec', 'vm', 'bash', '-lc', 'echo $IMAGE_PROFILE'])).stdout).toBe('loaded\n');
  });

  it('before the agent is up it fails with the control-socket message', async () => {
    sim.setTimeline({ agentDelayMs: 3000 });
    await startVm(sim, 'vm');
    const r = await sim.runTart(['exec', 'vm', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Failed to connect to the VM using its control socket: .+, is the Tart Guest Agent running\?\n$/);
  });

  it('an unknown command is the agent error via "Error: "', async () => {
    await startVm(sim, 'vm');
    await agentUp();
    expect(await sim.runTart(['exec', 'vm', 'no-such-tool'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'Error: exec: "no-such-tool": executable file not found in $PATH\n',
    });
  });

  it('processes started through exec die with the VM', async () => {
    const h = await startVm(sim, 'vm');
    await agentUp();
    const pid = Number((await sim.runTart(['exec', 'vm', 'bash', '-c', 'nohup sleep 300 >/dev/null 2>&1 & echo $!'])).stdout.trim());
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true);
    h.kill('SIGINT');
    await h.exited;
    await waitFor(() => !fs.existsSync(`/proc/${pid}`) || /\) [ZX] /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')), 5000, 'exec process to die');
  });
});
