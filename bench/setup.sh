#!/usr/bin/env bash
# Installs the Debian packages the competitor programs of bench/ need:
#   python3-uvloop     uvloop for Debian's python3 (the asyncio program runs on it too)
#   python3-aiohttp    aiohttp for the asyncio/uvloop http_server and http_fetch workloads
#   librust-tokio-dev  Tokio's source crates under /usr/share/cargo/registry, so that
#                      bench/tokio builds offline (cargo build --release --offline)
#   librust-hyper-dev  hyper 0.14's source crates (and their dependencies) there too,
#                      so that bench/hyper builds offline the same way
# Run as root on Debian/Ubuntu. Safe to run again: it only installs what is missing.
# Go, cargo/rustc and python3 themselves are expected on the machine (see bench/README.md).
set -euo pipefail
pkgs=(python3 python3-uvloop python3-aiohttp librust-tokio-dev librust-hyper-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "bench/setup.sh: installed: ${pkgs[*]}"
