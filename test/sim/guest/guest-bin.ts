// macOS-flavoured commands on the guest's PATH: `ifconfig en0` shows the VM's MAC (Ekiden's identity
// check), `hostname`, `sw_vers`, `shutdown` (the guest stops its VM), and a password-less `sudo`.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../tart/fsx';
import { GUEST_HOSTNAME } from '../tart/guest-spec';

const SCRIPTS: Record<string, string> = {
  ifconfig: `#!/bin/bash
# ifconfig of the simulated macOS guest: addresses come from the guest's boot state.
state="\${TART_SIM_GUEST_STATE:?not inside a simulated guest}"
mac="$(cat "$state/en0.mac" 2>/dev/null)"
ip="$(cat "$state/en0.ip" 2>/dev/null)"
lo0() {
  printf 'lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\\n'
  printf '\\toptions=1203<RXCSUM,TXCSUM,TXSTATUS,SW_TIMESTAMP>\\n'
  printf '\\tinet 127.0.0.1 netmask 0xff000000\\n'
  printf '\\tinet6 ::1 prefixlen 128\\n'
  printf '\\tnd6 options=201<PERFORMNUD,DAD>\\n'
}
en0() {
  printf 'en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\\n'
  printf '\\toptions=400<CHANNEL_IO>\\n'
  printf '\\tether %s\\n' "$mac"
  if [ -n "$ip" ]; then
    printf '\\tinet %s netmask 0xffffff00 broadcast %s.255\\n' "$ip" "\${ip%.*}"
  fi
  printf '\\tmedia: autoselect\\n'
  printf '\\tstatus: active\\n'
}
case "$1" in
  en0) en0 ;;
  lo0) lo0 ;;
  ""|-a) lo0; en0 ;;
  -l) echo "lo0 en0" ;;
  *) echo "ifconfig: interface $1 does not exist" >&2; exit 1 ;;
esac
`,
  hostname: `#!/bin/bash
# hostname of the simulated guest; the name lives on the VM's disk.
f="\${TART_SIM_GUEST_STATE:?not inside a simulated guest}/../hostname"
if [ $# -gt 0 ] && [ "$1" != "-s" ] && [ "$1" != "-f" ]; then
  printf '%s\\n' "$1" > "$f"
  exit 0
fi
h="$(cat "$f" 2>/dev/null || echo ${GUEST_HOSTNAME})"
[ "$1" = "-s" ] && h="\${h%%.*}"
printf '%s\\n' "$h"
`,
  sw_vers: `#!/bin/bash
case "$1" in
  -productName) echo macOS ;;
  -productVersion) echo 15.5 ;;
  -buildVersion) echo 24F74 ;;
  *) printf 'ProductName:\\t\\tmacOS\\nProductVersion:\\t\\t15.5\\nBuildVersion:\\t\\t24F74\\n' ;;
esac
`,
  shutdown: `#!/bin/bash
# The guest powers itself off: tart run then prints "guest has stopped the virtual machine".
kill -TERM "\${TART_SIM_GUEST_PID:?not inside a simulated guest}"
`,
  halt: `#!/bin/bash
kill -TERM "\${TART_SIM_GUEST_PID:?not inside a simulated guest}"
`,
  sudo: `#!/bin/bash
# admin has password-less sudo in Cirrus images; the simulated guest already runs as its user.
while [ $# -gt 0 ]; do
  case "$1" in
    -u|-g|-p|-C|-h) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
exec "$@"
`,
};

export function ensureGuestBin(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(SCRIPTS)) {
    const p = path.join(dir, name);
    let current: string | undefined;
    try {
      current = fs.readFileSync(p, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) {
      writeFileAtomic(p, text, 0o755);
    }
  }
}
