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
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if ((${#missing[@]} == 0)); then exit 0; fi
echo "install_deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "install_deps: missing packages and not root; run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
