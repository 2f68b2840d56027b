#!/usr/bin/env bash
# scripts/setup.sh run by a user who is not root and has no sudo must not
# try to install anything: it prints the apt-get command to run as root and
# exits non-zero. A package name that exists nowhere stands for "something
# is missing", so nothing could be installed even by mistake.
#
# usage: setup_without_root.sh <source dir>
set -uo pipefail

setup="$(cd "$1" && pwd)/scripts/setup.sh"
missing_pkg="horae-test-no-such-package"

# A PATH with only what setup.sh needs before it decides, and no sudo.
bin="$(mktemp -d -t horae-nosudo.XXXXXX)"
trap 'rm -rf "$bin"' EXIT
for tool in bash env id dpkg-query grep; do
  ln -s "$(command -v "$tool")" "$bin/$tool"
done
chmod 755 "$bin"

if [ "$(id -u)" -eq 0 ]; then
  # As root, become an unprivileged user; the script must be readable to it.
  run=(setpriv --reuid=nobody --regid=nogroup --clear-groups --
       env -i "PATH=$bin" bash "$setup" "$missing_pkg")
else
  run=(env -i "PATH=$bin" bash "$setup" "$missing_pkg")
fi

out="$("${run[@]}" 2>&1)"
rc=$?
echo "$out"

status=0
if [ "$rc" -eq 0 ]; then
  echo "FAIL: setup.sh exited with 0 although a package is missing" >&2
  status=1
fi
for expected in \
  "horae: these Debian packages are missing: $missing_pkg" \
  "this user is not root and sudo is not installed; as root run:" \
  "apt-get update && apt-get install -y $missing_pkg"; do
  if ! grep -qF -- "$expected" <<< "$out"; then
    echo "FAIL: setup.sh did not print: $expected" >&2
    status=1
  fi
done
if grep -qF "horae: updating the package lists" <<< "$out"; then
  echo "FAIL: setup.sh tried to run apt-get" >&2
  status=1
fi
exit "$status"
