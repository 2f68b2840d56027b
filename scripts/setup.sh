#!/usr/bin/env bash
# Installs the Debian packages horae needs, only those that are missing.
# Safe to run repeatedly; does nothing when everything is present. Extra
# arguments name further packages (e.g. scripts/bench.sh adds its tools).
set -euo pipefail

packages=(build-essential cmake libcaf-dev libspdlog-dev libsqlite3-dev
          libgtest-dev libbenchmark-dev "$@")

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
      | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "horae: installing ${missing[*]}"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd="sudo"
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi
