#!/bin/sh
# Guest settings of a CI runner: Remote Login on, the Mac never sleeps, no screensaver, no
# Spotlight indexing, no automatic software updates. Idempotent; runs as the guest user with sudo.
set -eu

say() { printf '%s\n' "ekiden-image: $*"; }

# Remote Login is a launchd override of com.openssh.sshd; setting it needs no Full Disk Access
# (unlike `systemsetup -setremotelogin on`). Packer is connected over SSH, so it is on already;
# this keeps it on for good.
sudo launchctl enable system/com.openssh.sshd
sudo launchctl bootstrap system /System/Library/LaunchDaemons/ssh.plist 2>/dev/null || true
say "remote login enabled"

# Never sleep: a sleeping guest drops its runner's connection mid-job.
sudo pmset -a sleep 0 displaysleep 0 disksleep 0
sudo pmset -a powernap 0 2>/dev/null || true
say "sleep off: $(pmset -g | awk '$1 == "sleep" {print "sleep " $2}')"

# No screensaver, neither in the user session nor at the login window.
defaults -currentHost write com.apple.screensaver idleTime -int 0
sudo defaults write /Library/Preferences/com.apple.screensaver loginWindowIdleTime -int 0
say "screensaver off"

# Spotlight would index every job's checkout on an ephemeral disk.
sudo mdutil -a -i off >/dev/null
say "spotlight indexing off"

# An update that installs or restarts mid-job kills the job; images are rebuilt instead.
sudo softwareupdate --schedule off >/dev/null 2>&1 || true
sudo defaults write /Library/Preferences/com.apple.SoftwareUpdate AutomaticCheckEnabled -bool false
sudo defaults write /Library/Preferences/com.apple.SoftwareUpdate AutomaticDownload -bool false
sudo defaults write /Library/Preferences/com.apple.commerce AutoUpdate -bool false
say "automatic updates off"
