# The Ekiden runner image: a public Cirrus Labs macOS base image plus what Ekiden expects in the
# guest (docs/image.md). Build on an Apple-silicon Mac with Tart:
#   packer init assets/packer && packer build assets/packer

packer {
  required_version = ">= 1.7.0"
  required_plugins {
    tart = {
      source  = "github.com/cirruslabs/tart"
      version = ">= 1.12.0"
    }
  }
}

variable "base_image" {
  type        = string
  default     = "ghcr.io/cirruslabs/macos-sequoia-base:latest"
  description = "Cirrus Labs image to derive from (…-base, or …-xcode for Xcode)."
}

variable "vm_name" {
  type        = string
  default     = "ekiden-runner"
  description = "Local Tart VM the build produces; push it with tart push."
}

variable "guest_user" {
  type        = string
  default     = "admin"
  description = "The runner user of the Cirrus images (Ekiden's guest.user)."
}

variable "guest_password" {
  type        = string
  default     = "admin"
  sensitive   = true
  description = "Password of guest_user in the base image (Ekiden's guest.password)."
}

variable "authorized_key" {
  type        = string
  default     = ""
  description = "Optional SSH public key for guest_user (for Ekiden's guest.privateKey)."
}

variable "runner_version" {
  type        = string
  description = "actions/runner version, e.g. 2.336.0 (latest-runner.sh prints the current one)."

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.runner_version))
    error_message = "The runner_version must look like 2.336.0 (no leading v)."
  }
}

variable "runner_sha256" {
  type        = string
  description = "Published SHA-256 of actions-runner-osx-arm64-<runner_version>.tar.gz."

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.runner_sha256))
    error_message = "The runner_sha256 must be 64 lower-case hex digits, from the runner's release notes."
  }
}

variable "cpu_count" {
  type    = number
  default = null
}

variable "memory_gb" {
  type    = number
  default = null
}

variable "disk_size_gb" {
  type    = number
  default = null
}

source "tart-cli" "ekiden" {
  vm_base_name = var.base_image
  vm_name      = var.vm_name
  cpu_count    = var.cpu_count
  memory_gb    = var.memory_gb
  disk_size_gb = var.disk_size_gb
  headless     = true
  ssh_username = var.guest_user
  ssh_password = var.guest_password
  ssh_timeout  = "300s"
}

build {
  sources = ["source.tart-cli.ekiden"]

  # Host settings of a CI guest: Remote Login, no sleep, no screensaver, no Spotlight, no updates.
  provisioner "shell" {
    script = "${path.root}/scripts/system-settings.sh"
  }

  # Auto-login, so the guest has a GUI session (keychain, agents) without anyone at the screen.
  provisioner "shell" {
    script           = "${path.root}/scripts/enable-autologin.sh"
    environment_vars = ["GUEST_USER=${var.guest_user}", "GUEST_PASSWORD=${var.guest_password}"]
    use_env_var_file = true
  }

  provisioner "shell" {
    script           = "${path.root}/scripts/authorized-key.sh"
    environment_vars = ["AUTHORIZED_KEY=${var.authorized_key}"]
  }

  # Ekiden starts the runner from a login shell: ~/.zprofile must put Homebrew on PATH.
  provisioner "shell" {
    script = "${path.root}/scripts/shell-profile.sh"
  }

  # An unconfigured runner at a pinned, checksum-verified version. Ekiden registers it per job (JIT).
  provisioner "shell" {
    script           = "${path.root}/scripts/install-runner.sh"
    environment_vars = ["RUNNER_VERSION=${var.runner_version}", "RUNNER_SHA256=${var.runner_sha256}"]
  }

  # Proves the contract Ekiden relies on, then leaves no build traces behind.
  provisioner "shell" {
    script           = "${path.root}/scripts/verify-guest.sh"
    environment_vars = ["GUEST_USER=${var.guest_user}", "RUNNER_VERSION=${var.runner_version}"]
  }

  provisioner "shell" {
    script = "${path.root}/scripts/cleanup.sh"
  }
}
