#!/bin/bash
# Installs the Debian 12 packages PusOS needs to build, run and test, and
# nothing else. Called by `make` (once, and again when this list changes).
# It says what it does and fails with a clear message when it cannot.
set -euo pipefail

PACKAGES=(
    build-essential make                        # host tools and unit tests
    gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf   # the kernel
    qemu-system-misc opensbi                    # qemu-system-riscv64 + firmware
    gdb-multiarch                               # make gdb
    libcmocka-dev                               # unit test framework
    clang-14 lld-14 libclang-rt-14-dev          # libFuzzer targets
    wasi-libc libclang-rt-14-dev-wasm32         # apps built to wasm32-wasi
    wabt                                        # wast2json, wasm-interp
    python3 python3-pytest python3-pexpect      # system tests
    iproute2 iputils-ping curl                  # network tests (namespaces, taps)
    mosquitto mosquitto-clients libcoap3-bin    # IoT peers for protocol tests
    vde2                                        # rootless cluster network
    libsqlite3-dev libmicrohttpd-dev libcjson-dev   # pusctl
    device-tree-compiler                        # dtc, to inspect dumped DTBs
)

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "install-deps: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-deps: not root and no sudo; please run as root:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "install-deps: running apt-get update and apt-get install -y ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get update -q; then
    echo "install-deps: apt-get update failed (is the Debian archive reachable?)" >&2
    exit 1
fi
if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    echo "install-deps: apt-get install failed for: ${missing[*]}" >&2
    exit 1
fi
echo "install-deps: done"
