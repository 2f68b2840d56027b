#!/usr/bin/env bash
# Installs the Debian packages horae needs, only those that are missing.
# Safe to run repeatedly; does nothing when everything is present. Extra
# arguments name further packages (the lint, fuzz and bench scripts add
# their tools). apt's own output goes to a log that is shown only when a
# step fails.
set -euo pipefail

packages=(build-essential cmake pkg-config libcaf-dev libspdlog-dev
          libsqlite3-dev libgtest-dev libbenchmark-dev libcli11-dev
          nlohmann-json3-dev libcpp-httplib-dev libhowardhinnant-date-dev
          tzdata curl libpq-dev postgresql "$@")

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
      | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo > /dev/null; then
    echo "horae: these Debian packages are missing: ${missing[*]}" >&2
    echo "horae: this user is not root and sudo is not installed; as root run:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  sudo_cmd=(sudo)
fi

log="$(mktemp -t horae-apt.XXXXXX)"
step() {
  local what="$1"
  shift
  echo "horae: $what"
  if ! "$@" >> "$log" 2>&1; then
    echo "horae: failed while $what; apt said:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
}
export DEBIAN_FRONTEND=noninteractive
step "updating the package lists" "${sudo_cmd[@]}" apt-get update -qq
step "installing ${missing[*]} (a minute or two)" \
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
rm -f "$log"
