#!/bin/sh
# Optionally authorises an SSH public key for the runner user, so Ekiden can use guest.privateKey
# instead of a password. Env: AUTHORIZED_KEY (a public key line; empty = nothing to do).
set -eu

key="${AUTHORIZED_KEY:-}"
if [ -z "$key" ]; then
    echo "ekiden-image: no authorized_key given; Ekiden will log in with the password"
    exit 0
fi
case "$key" in
    ssh-ed25519\ * | ssh-rsa\ * | ecdsa-sha2-*\ *) ;;
    *) echo "ekiden-image: authorized_key does not look like an OpenSSH public key" >&2; exit 1 ;;
esac

umask 077
mkdir -p "$HOME/.ssh"
touch "$HOME/.ssh/authorized_keys"
grep -qxF "$key" "$HOME/.ssh/authorized_keys" || printf '%s\n' "$key" >> "$HOME/.ssh/authorized_keys"
chmod 700 "$HOME/.ssh"
chmod 600 "$HOME/.ssh/authorized_keys"
echo "ekiden-image: SSH key authorised for $(id -un)"
