#!/bin/sh
# Leaves no build traces in the image: Ekiden's state, runner diagnostics, shell histories.
set -eu

rm -rf "$HOME/.ekiden" "$HOME/actions-runner/_diag" "$HOME/actions-runner/_work"
rm -f "$HOME/.zsh_history" "$HOME/.bash_history"
rm -rf "$HOME/.zsh_sessions"
echo "ekiden-image: cleaned up"
