#!/usr/bin/env bash
# Install Debian packages for what is missing, and say so:
#   scripts/apt-install.sh "WHY" PATH_OR_COMMAND=PACKAGE ...
# Each argument names a command (or an absolute path) and the package that provides it; only the packages of
# missing ones are installed, with apt-get as root or through sudo.
set -euo pipefail
why=$1
shift
missing=()
for pair in "$@"; do
  what=${pair%%=*}
  package=${pair#*=}
  if [[ $what == /* ]]; then [ -e "$what" ] && continue; else command -v "$what" >/dev/null && continue; fi
  [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
done
[ ${#missing[@]} -gt 0 ] || exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "apt-install.sh: $why needs ${missing[*]}, and installing them needs root: run as root or install them" >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "apt-install.sh: $why needs ${missing[*]}: installing from Debian's packages" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
