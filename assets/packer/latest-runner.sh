#!/bin/sh
# Prints the Packer variables for an actions/runner release: its version and the published SHA-256
# of actions-runner-osx-arm64-<version>.tar.gz, read from the release notes' checksum markers.
#
#   assets/packer/latest-runner.sh              > assets/packer/runner.auto.pkrvars.hcl   # latest
#   assets/packer/latest-runner.sh 2.336.0      > assets/packer/runner.auto.pkrvars.hcl   # a given one
#
# Env: GITHUB_TOKEN (optional, for rate limits; passed to curl on stdin, not argv).
#      EKIDEN_RUNNER_RELEASE_JSON: read the release JSON from this file instead of the API (offline).
set -eu

version="${1:-}"
if [ -n "$version" ]; then
    url="https://api.github.com/repos/actions/runner/releases/tags/v${version#v}"
else
    url="https://api.github.com/repos/actions/runner/releases/latest"
fi

if [ -n "${EKIDEN_RUNNER_RELEASE_JSON:-}" ]; then
    json=$(cat "$EKIDEN_RUNNER_RELEASE_JSON")
else
    json=$(
        {
            printf 'header = "Accept: application/vnd.github+json"\n'
            if [ -n "${GITHUB_TOKEN:-}" ]; then printf 'header = "Authorization: Bearer %s"\n' "$GITHUB_TOKEN"; fi
        } | curl --fail --silent --show-error --location --proto '=https' --config - "$url"
    )
fi

tag=$(printf '%s\n' "$json" | sed -n 's/.*"tag_name" *: *"v\{0,1\}\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)".*/\1/p' | head -n 1)
sha=$(printf '%s\n' "$json" | sed -n 's/.*BEGIN SHA osx-arm64 -->\([0-9a-f]\{64\}\)<!-- END SHA osx-arm64.*/\1/p' | head -n 1)

if [ -z "$tag" ]; then
    echo "latest-runner.sh: no tag_name in the release answer from $url" >&2
    exit 1
fi
if [ -n "$version" ] && [ "$tag" != "${version#v}" ]; then
    echo "latest-runner.sh: asked for ${version#v}, the release is $tag" >&2
    exit 1
fi
if [ -z "$sha" ]; then
    echo "latest-runner.sh: the notes of v$tag carry no osx-arm64 SHA-256; take it from https://github.com/actions/runner/releases/tag/v$tag" >&2
    exit 1
fi

printf '# actions/runner v%s (https://github.com/actions/runner/releases/tag/v%s)\n' "$tag" "$tag"
printf 'runner_version = "%s"\n' "$tag"
printf 'runner_sha256  = "%s"\n' "$sha"
