#!/bin/sh
# Checks, from inside the built guest, each fact Ekiden relies on (docs/image.md "What Ekiden
# expects"). Fails the build on the first one that does not hold.
# Env: GUEST_USER, RUNNER_VERSION.
set -eu

: "${GUEST_USER:?GUEST_USER must be set}"
: "${RUNNER_VERSION:?RUNNER_VERSION must be set}"

fail() { echo "ekiden-image: verify: $*" >&2; exit 1; }
ok() { echo "ekiden-image: verify: $*"; }

[ "$(id -un)" = "$GUEST_USER" ] || fail "connected as $(id -un), expected $GUEST_USER"
ok "user $GUEST_USER"

# Ekiden proves the guest's identity by its MAC, read exactly like this.
mac=$(ifconfig en0 | awk '/ether/{print $2}')
printf '%s\n' "$mac" | grep -Eq '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' || fail "ifconfig en0 gives no MAC (got '$mac')"
ok "en0 MAC $mac"

[ -x "$HOME/actions-runner/run.sh" ] || fail "$HOME/actions-runner/run.sh is missing"
[ ! -e "$HOME/actions-runner/.runner" ] || fail "the runner is configured; it must not be"
ok "runner unconfigured in ~/actions-runner"

version=$("$HOME/actions-runner/bin/Runner.Listener" --version 2>/dev/null | tail -n 1 | tr -d '[:space:]')
[ "$version" = "$RUNNER_VERSION" ] || fail "runner version $version, expected $RUNNER_VERSION"
ok "runner $version"

[ "$(/bin/zsh -lc 'command -v brew' 2>/dev/null || true)" = /opt/homebrew/bin/brew ] || fail "a login shell does not find brew"
ok "login shell finds Homebrew"

sudo launchctl print-disabled system | grep -Eq '"com.openssh.sshd" => (enabled|false)' || fail "Remote Login is not enabled"
ok "Remote Login enabled"

[ "$(sudo defaults read /Library/Preferences/com.apple.loginwindow autoLoginUser 2>/dev/null || true)" = "$GUEST_USER" ] ||
    fail "auto-login is not set for $GUEST_USER"
ok "auto-login"

pmset -g | awk '$1 == "sleep" && $2 != 0 {bad = 1} END {exit bad}' || fail "system sleep is not 0"
ok "sleep off"

mdutil -s / 2>/dev/null | grep -qi 'disabled' || fail "Spotlight indexing is on"
ok "Spotlight off"

# Ekiden keeps its own state in ~/.ekiden (runner log, pid, exit code).
mkdir -p "$HOME/.ekiden" && [ -w "$HOME/.ekiden" ] || fail "cannot write ~/.ekiden"
ok "~/.ekiden writable"
