// Login shells in the guest are `bash -l`, while the image's profile is ~/.zprofile (macOS uses zsh).
// ~/.bash_profile bridges them and restores the guest PATH, which the host's /etc/profile resets
// (on macOS, path_helper keeps such entries).
import fs from 'node:fs';
import path from 'node:path';

const MARKER = '# tart-sim: login profile';

const BLOCK = `${MARKER}
export PATH="\${SIM_GUEST_PATH:-$PATH}"
[ -f "$HOME/.zprofile" ] && . "$HOME/.zprofile"
`;

export function ensureLoginProfile(home: string): void {
  const zprofile = path.join(home, '.zprofile');
  if (!fs.existsSync(zprofile)) fs.writeFileSync(zprofile, '# login profile of the simulated image\n');
  const bashProfile = path.join(home, '.bash_profile');
  let current = '';
  try {
    current = fs.readFileSync(bashProfile, 'utf8');
  } catch {
    current = '';
  }
  if (!current.includes(MARKER)) fs.writeFileSync(bashProfile, BLOCK + (current ? '\n' + current : ''));
}
