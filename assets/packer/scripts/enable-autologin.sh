#!/bin/sh
# Auto-login for the runner user: the guest boots into a GUI session (an unlocked login keychain,
# LaunchAgents such as tart-guest-agent) with nobody at the screen. The Cirrus base images have it
# already; this makes it hold for the password this build uses.
#
# `sysadminctl -autologin set` is reported to fail over SSH on Apple silicon
# (SACSetAutoLoginPassword error:22) while exiting 0, so both pieces of state are written directly:
#   /etc/kcpassword                             the password, XORed with Apple's fixed key
#   com.apple.loginwindow autoLoginUser         who logs in
#
# Env: GUEST_USER, GUEST_PASSWORD (from a Packer env file, never on a command line).
# `enable-autologin.sh --print-kcpassword` encodes stdin to stdout and changes nothing (for tests).
set -eu

# The kcpassword encoding: the password plus NUL padding to the next multiple of 12 bytes (a full
# block of 12 when it already is one), XORed with an 11-byte key repeated.
kcpassword() {
    od -An -v -tu1 | awk '
        BEGIN { split("125 137 82 35 210 188 221 234 163 185 31", key, " ") }
        { for (i = 1; i <= NF; i++) bytes[n++] = $i }
        END {
            pad = 12 - (n % 12)
            for (i = 0; i < pad; i++) bytes[n++] = 0
            for (i = 0; i < n; i++) printf "%d\n", bxor(bytes[i], key[(i % 11) + 1])
        }
        function bxor(a, b,   r, bit) {
            r = 0; bit = 1
            while (a > 0 || b > 0) {
                if ((a % 2) != (b % 2)) r += bit
                a = int(a / 2); b = int(b / 2); bit *= 2
            }
            return r
        }' | while read -r b; do
        # shellcheck disable=SC2059 # the octal escape is the point
        printf "\\$(printf '%03o' "$b")"
    done
}

if [ "${1:-}" = "--print-kcpassword" ]; then
    kcpassword
    exit 0
fi

: "${GUEST_USER:?GUEST_USER must be set}"
: "${GUEST_PASSWORD:?GUEST_PASSWORD must be set}"

if fdesetup status 2>/dev/null | grep -q 'FileVault is On'; then
    echo "ekiden-image: FileVault is on in the guest; macOS does not log in by itself then" >&2
    exit 1
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf '%s' "$GUEST_PASSWORD" | kcpassword > "$tmp"
sudo install -m 0600 -o root -g wheel "$tmp" /etc/kcpassword
sudo defaults write /Library/Preferences/com.apple.loginwindow autoLoginUser "$GUEST_USER"

# Check the result, not the commands' exit codes.
[ -s /etc/kcpassword ] || { echo "ekiden-image: /etc/kcpassword was not written" >&2; exit 1; }
who=$(sudo defaults read /Library/Preferences/com.apple.loginwindow autoLoginUser)
[ "$who" = "$GUEST_USER" ] || { echo "ekiden-image: autoLoginUser is '$who', not '$GUEST_USER'" >&2; exit 1; }
echo "ekiden-image: auto-login as $GUEST_USER"
