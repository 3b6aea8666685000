#!/bin/sh
# Installs and starts Ekiden's LaunchAgent for the logged-in user (docs/headless.md).
#
#   assets/launchd/install-agent.sh                    # the CLI inside /Applications/Ekiden.app
#   assets/launchd/install-agent.sh --source-checkout  # this checkout's bin/ekiden (needs node)
#   options: --config PATH (a config other than the default), --dry-run (print the plist, change nothing)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
label=dev.ekiden.agent
template="$here/$label.plist"
program=/Applications/Ekiden.app/Contents/MacOS/ekiden-cli
config=
dry_run=0
path_value=/opt/homebrew/bin:/usr/bin:/bin:/usr/sbin:/sbin

while [ $# -gt 0 ]; do
    case "$1" in
        --source-checkout) program=$(cd "$here/../.." && pwd)/bin/ekiden ;;
        --program) program=${2:?--program needs a path}; shift ;;
        --config) config=${2:?--config needs a path}; shift ;;
        --dry-run) dry_run=1 ;;
        -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "install-agent.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

case "$program" in /*) ;; *) echo "install-agent.sh: the program must be an absolute path" >&2; exit 2 ;; esac
if [ -n "$config" ]; then
    case "$config" in /*) ;; *) config="$(pwd)/$config" ;; esac
fi

# A source checkout runs node through tsx; launchd's PATH must find the same node as this shell.
case "$program" in
    */bin/ekiden)
        node_dir=$(dirname "$(command -v node 2>/dev/null || echo /opt/homebrew/bin/node)")
        case ":$path_value:" in *":$node_dir:"*) ;; *) path_value="$node_dir:$path_value" ;; esac
        ;;
esac

render() {
    PROGRAM="$program" CONFIG="$config" HOME_DIR="$HOME" PATH_VALUE="$path_value" awk '
        function xml(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
        BEGIN { program = xml(ENVIRON["PROGRAM"]); config = xml(ENVIRON["CONFIG"]); home = xml(ENVIRON["HOME_DIR"]); path = xml(ENVIRON["PATH_VALUE"]) }
        /<string>\/Applications\/Ekiden.app\/Contents\/MacOS\/ekiden-cli<\/string>/ { sub(/<string>.*<\/string>/, "<string>" program "</string>") }
        /<string>\/opt\/homebrew\/bin:[^<]*<\/string>/ { sub(/<string>.*<\/string>/, "<string>" path "</string>") }
        { while ((i = index($0, "__HOME__")) > 0) $0 = substr($0, 1, i - 1) home substr($0, i + 8) }
        { print }
        /<string>run<\/string>/ && config != "" {
            indent = $0; sub(/<.*/, "", indent)
            print indent "<string>--config</string>"
            print indent "<string>" config "</string>"
        }' "$template"
}

if [ "$dry_run" = 1 ]; then
    render
    exit 0
fi

if [ "$(id -u)" = 0 ]; then
    echo "install-agent.sh: run this as the logged-in user, not root: Ekiden must not run as root" >&2
    exit 1
fi
[ -x "$program" ] || { echo "install-agent.sh: $program is not an executable" >&2; exit 1; }

uid=$(id -u)
target="$HOME/Library/LaunchAgents/$label.plist"
mkdir -p "$HOME/Library/Logs/Ekiden" "$HOME/Library/LaunchAgents"
tmp="$target.tmp.$$"
render > "$tmp"
chmod 644 "$tmp"
plutil -lint "$tmp" >/dev/null
mv -f "$tmp" "$target"

if launchctl print "gui/$uid/$label" >/dev/null 2>&1; then
    echo "install-agent.sh: replacing the loaded agent (SIGTERM: it drains, running jobs finish first)"
    launchctl bootout "gui/$uid/$label" || true
fi
launchctl bootstrap "gui/$uid" "$target"
echo "install-agent.sh: $label loaded from $target"
echo "  status: ekiden status   |   launchctl print gui/$uid/$label"
echo "  logs:   $HOME/Library/Logs/Ekiden/ekiden.out.log and ekiden.err.log"
