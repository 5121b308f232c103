#!/usr/bin/env bash
# Installs the Debian packages pitchtrack needs, only those missing (idempotent; a no-op taking
# well under a second when everything is there). Works on Debian 12 and Ubuntu 24.04 as root.
set -euo pipefail
packages=(
  cmake g++ make pkg-config git ca-certificates
  ffmpeg libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  libopencv-dev libeigen3-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  pybind11-dev python3-dev python3-numpy
  clang-format
  nginx libnginx-mod-rtmp  # live-input tests run their own nginx (RTMP + HLS over HTTP) on loopback
)
# Optional: the libtorch detector backend (CPU here; CUDA where libtorch is built for it). Its
# absence only leaves the backend out of the build (CMake says so), so a failed install is a
# warning, not an error.
optional=(libtorch-dev)
is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${packages[@]}"; do is_installed "$p" || missing+=("$p"); done
missing_optional=()
for p in "${optional[@]}"; do is_installed "$p" || missing_optional+=("$p"); done
if ((${#missing[@]} == 0 && ${#missing_optional[@]} == 0)); then exit 0; fi
echo "install_deps: installing ${missing[*]} ${missing_optional[*]}"
if [[ $(id -u) -ne 0 ]]; then
  if ((${#missing[@]} == 0)); then
    echo "install_deps: optional ${missing_optional[*]} not installed (not root); the torch backend stays out" >&2
    exit 0
  fi
  echo "install_deps: missing packages and not root; run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Installing nginx must not start the system service (port 80 may be taken, and the tests run
# their own nginx): the standard policy-rc.d hook refuses service starts during this install.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
if ((${#missing[@]})); then
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ((${#missing_optional[@]})); then
  apt-get install -y -qq --no-install-recommends "${missing_optional[@]}" ||
    echo "install_deps: optional ${missing_optional[*]} could not be installed; the torch backend stays out" >&2
fi
