#!/bin/sh
# Ekiden runs the runner from the user's login shell, so ~/.zprofile decides the job's PATH.
# Homebrew (in the Cirrus base images at /opt/homebrew) must be on it.
set -eu

brew=/opt/homebrew/bin/brew
if [ ! -x "$brew" ]; then
    echo "ekiden-image: $brew is missing; derive from a Cirrus Labs image that has Homebrew (…-base or …-xcode)" >&2
    exit 1
fi

line='eval "$(/opt/homebrew/bin/brew shellenv)"'
touch "$HOME/.zprofile"
if ! grep -qF "$line" "$HOME/.zprofile"; then
    printf '%s\n' "$line" >> "$HOME/.zprofile"
    echo "ekiden-image: added Homebrew to ~/.zprofile"
fi

# What Ekiden will see: a zsh login shell that finds brew.
found=$(/bin/zsh -lc 'command -v brew' 2>/dev/null || true)
if [ "$found" != "$brew" ]; then
    echo "ekiden-image: a login shell does not find brew (got '$found')" >&2
    exit 1
fi
echo "ekiden-image: login shell PATH has Homebrew"
