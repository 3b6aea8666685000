// An ed25519 host key pair that ssh2 can read back. ssh2's generator drops the leading zero byte
// of a public key that starts with one (about 1 key in 300), and such a key fails to parse: every
// guest booted from that image would crash at its SSH server's start.
import ssh2 from 'ssh2';

export function newHostKeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}
