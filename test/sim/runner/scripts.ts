// Bash scripts of the fake ~/actions-runner (github.md §6.1, §6.2, §10). They behave like the real
// run.sh / run-helper.sh.template / config.sh: the copy-and-loop, the exit-code table, the root
// checks and RUNNER_MANUALLY_TRAP_SIG. Simulator additions: SIM_RUNNER_UID (the uid the root check
// believes, since our sandboxes run as root) and waits scaled by bin/.time-scale.

const RESOLVE_DIR = `SOURCE="\${BASH_SOURCE[0]}"
while [ -h "$SOURCE" ]; do
    DIR="$( cd -P "$( dirname "$SOURCE" )" && pwd )"
    SOURCE="$(readlink "$SOURCE")"
    [[ $SOURCE != /* ]] && SOURCE="$DIR/$SOURCE"
done
DIR="$( cd -P "$( dirname "$SOURCE" )" && pwd )"`;

export const RUN_SH = `#!/bin/bash
# Runs run-helper.sh (a fresh copy of the template) until it asks for no restart (exit code 2 = restart).

${RESOLVE_DIR}

run() {
    while :; do
        cp -f "$DIR"/run-helper.sh.template "$DIR"/run-helper.sh
        "$DIR"/run-helper.sh "$@"
        returnCode=$?
        if [[ $returnCode -eq 2 ]]; then
            echo "Restarting runner..."
        else
            echo "Exiting runner..."
            if [[ $returnCode -eq 7 ]]; then
                exit 7
            fi
            exit 0
        fi
    done
}

runWithManualTrap() {
    # Job control gives the helper its own process group, which the trap signals as a whole.
    set -m
    trap 'kill -INT -$PID' INT TERM
    while :; do
        cp -f "$DIR"/run-helper.sh.template "$DIR"/run-helper.sh
        "$DIR"/run-helper.sh "$@" &
        PID=$!
        wait $PID
        returnCode=$?
        # A trapped signal interrupts wait: keep waiting for the helper's own exit code.
        while kill -0 $PID 2>/dev/null; do
            wait $PID
            returnCode=$?
        done
        if [[ $returnCode -eq 2 ]]; then
            echo "Restarting runner..."
        else
            echo "Exiting runner..."
            # Unregister signal handling before exit
            trap - INT TERM
            exit $returnCode
        fi
    done
}

if [[ -z "$RUNNER_MANUALLY_TRAP_SIG" ]]; then
    run "$@"
else
    runWithManualTrap "$@"
fi
`;

export const RUN_HELPER_TEMPLATE = `#!/bin/bash
# Runs the listener once and maps its exit code (github.md §6.2 table).

# Validate not sudo
user_id=\${SIM_RUNNER_UID:-$(id -u)}
if [ "$user_id" -eq 0 -a -z "$RUNNER_ALLOW_RUNASROOT" ]; then
    echo "Must not run interactively with sudo"
    exit 1
fi

${RESOLVE_DIR}

# Simulator: waits follow the fake server's time scale (written by the listener).
scaled() {
    local scale=1
    if [ -f "$DIR/bin/.time-scale" ]; then
        scale="$(cat "$DIR/bin/.time-scale")"
    fi
    awk -v s="$1" -v k="$scale" 'BEGIN { printf "%.3f", s * k }'
}

updateFile="update.finished"
"$DIR"/bin/Runner.Listener run "$@"

returnCode=$?
if [[ $returnCode == 0 ]]; then
    echo "Runner listener exit with 0 return code, stop the service, no retry needed."
    exit 0
elif [[ $returnCode == 1 ]]; then
    echo "Runner listener exit with terminated error, stop the service, no retry needed."
    exit 0
elif [[ $returnCode == 2 ]]; then
    echo "Runner listener exit with retryable error, re-launch runner in 5 seconds."
    sleep "$(scaled 5)"
    exit 2
elif [[ $returnCode == 3 || $returnCode == 4 ]]; then
    echo "Runner listener exit because of updating, re-launch runner after successful update"
    count=0
    while [[ $count -lt 31 ]]; do
        if [[ -f "$DIR/$updateFile" ]]; then
            echo "Update finished successfully."
            rm -f "$DIR/$updateFile"
            break
        fi
        sleep "$(scaled 1)"
        count=$((count + 1))
    done
    exit 2
elif [[ $returnCode == 5 ]]; then
    echo "Runner listener exit with Session Conflict error, stop the service, no retry needed."
    exit 0
elif [[ $returnCode == 7 ]]; then
    echo "Runner listener exit with deprecated version exit code: 7."
    exit 7
else
    echo "Exiting with unknown error code: \${returnCode}"
    exit 0
fi
`;

export const CONFIG_SH = `#!/bin/bash
# Configures (or with "remove", unconfigures) the runner through bin/Runner.Listener.

user_id=\${SIM_RUNNER_UID:-$(id -u)}
if [ "$user_id" -eq 0 -a -z "$RUNNER_ALLOW_RUNASROOT" ]; then
    echo "Must not run with sudo"
    exit 1
fi

${RESOLVE_DIR}

shopt -s nocasematch
if [[ "$1" == "remove" ]]; then
    "$DIR"/bin/Runner.Listener "$@"
else
    "$DIR"/bin/Runner.Listener configure "$@"
fi
`;

/** bin/Runner.Listener and bin/Runner.Worker: run the bundled JS under the binary's name (for pgrep -f). */
export function binaryWrapper(name: 'Runner.Listener' | 'Runner.Worker', scriptPath: string, fallbackNode: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/bash
# Simulator stand-in for the runner's ${name} binary.
ROOT="$(cd "$(dirname "\${BASH_SOURCE[0]}")/.." && pwd)"
NODE="$(command -v node 2>/dev/null)"
if [ -z "$NODE" ]; then
    NODE=${q(fallbackNode)}
fi
export RUNNER_ROOT="$ROOT"
# node resets inherited signal dispositions: pass on that SIGHUP was ignored (started under nohup).
sigign="$(awk '/^SigIgn:/ { print $2 }' /proc/$$/status 2>/dev/null)"
if [ -n "$sigign" ] && (( 0x$sigign & 1 )); then
    export RUNNER_SIGHUP_IGNORED=1
fi
exec -a "$ROOT/bin/${name}" "$NODE" ${q(scriptPath)} "$@"
`;
}
