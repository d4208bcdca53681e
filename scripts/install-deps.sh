#!/usr/bin/env bash
# Installs what kura needs to build, test and benchmark on Debian 12 (as root, or with sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libcurl4 libcurl4-openssl-dev libsodium-dev nlohmann-json3-dev libpugixml-dev \
  libkeyutils-dev keyutils libsecret-1-dev libsecret-1-0 libsecret-tools gnome-keyring dbus pass gnupg \
  libqrencode-dev libqrencode4 zbar-tools \
  libgtest-dev libgmock-dev googletest libbenchmark-dev \
  awscli oathtool curl util-linux bsdutils procps iproute2 time hyperfine wrk python3 chromium \
  clang libclang-rt-14-dev lld clang-tidy clang-format bc \
  zsh fish direnv man-db dpkg-dev file valgrind
# moto_server, botocore and AWS CLI v1 come with this machine image's Python; elsewhere pip brings them.
if ! command -v moto_server >/dev/null 2>&1 || ! python3 -c 'import botocore' 2>/dev/null; then
  python3 -m pip install --quiet 'moto[server]==5.2.1' awscli boto3 || {
    echo "install-deps: moto_server and botocore are needed for the tests (pip install 'moto[server]' awscli)" >&2
    exit 1
  }
fi
