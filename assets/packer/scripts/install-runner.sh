#!/bin/sh
# Installs the actions runner in ~/actions-runner at a pinned version, checking its published
# SHA-256. It stays unconfigured: Ekiden registers it for one job at a time with a JIT config it
# feeds to run.sh over stdin (ACTIONS_RUNNER_INPUT_JITCONFIG).
# Env: RUNNER_VERSION (e.g. 2.336.0), RUNNER_SHA256 (64 hex digits).
set -eu

: "${RUNNER_VERSION:?RUNNER_VERSION must be set}"
: "${RUNNER_SHA256:?RUNNER_SHA256 must be set}"

asset="actions-runner-osx-arm64-${RUNNER_VERSION}.tar.gz"
url="https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/${asset}"
dir="$HOME/actions-runner"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "ekiden-image: downloading $asset"
curl --fail --silent --show-error --location --retry 3 --proto '=https' --output "$work/$asset" "$url"

actual=$(shasum -a 256 "$work/$asset" | awk '{print $1}')
if [ "$actual" != "$RUNNER_SHA256" ]; then
    echo "ekiden-image: SHA-256 mismatch for $asset: expected $RUNNER_SHA256, got $actual" >&2
    exit 1
fi
echo "ekiden-image: SHA-256 verified"

# Replace whatever runner the base image carries (another version, possibly configured).
rm -rf "$dir"
mkdir -p "$dir"
tar -xzf "$work/$asset" -C "$dir"

for f in .runner .credentials .credentials_rsaparams; do
    if [ -e "$dir/$f" ]; then
        echo "ekiden-image: $dir/$f exists; the runner must stay unconfigured" >&2
        exit 1
    fi
done
[ -x "$dir/run.sh" ] || { echo "ekiden-image: $dir/run.sh is missing" >&2; exit 1; }

installed=$("$dir/bin/Runner.Listener" --version 2>/dev/null | tail -n 1 | tr -d '[:space:]')
if [ "$installed" != "$RUNNER_VERSION" ]; then
    echo "ekiden-image: Runner.Listener reports '$installed', expected $RUNNER_VERSION" >&2
    exit 1
fi
echo "ekiden-image: actions runner $RUNNER_VERSION in $dir (unconfigured)"
