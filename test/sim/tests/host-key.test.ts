import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { newHostKeyPair } from '../guest/host-key';

describe('guest host keys', () => {
  it('are always keys ssh2 can read back (its generator makes an unreadable one about 1 time in 300)', () => {
    const unreadable = Array.from({ length: 2000 }, () => newHostKeyPair()).filter(
      (pair) => ssh2.utils.parseKey(pair.private) instanceof Error || ssh2.utils.parseKey(pair.public) instanceof Error,
    );
    expect(unreadable).toEqual([]);
  });
});
