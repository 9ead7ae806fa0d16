#!/bin/bash
# Boots one PusOS node in QEMU on this terminal (Ctrl-A X quits).
#   scripts/run-node.sh [--smp N] [--mem SIZE] [--append "BOOTARGS"] [--disk IMG] [--gdb] [--no-net]
#                       [--no-rng]
# With --gdb, QEMU waits halted with a gdb stub on localhost:1234 and
# gdb-multiarch attaches with the kernel's symbols.
set -euo pipefail
cd "$(dirname "$0")/.."

smp=2 mem=128M append="" disk="" gdb=0 net=1 rng=1
http_port="${HTTP_PORT:-8080}"
while [ $# -gt 0 ]; do
    case "$1" in
        --smp) smp="$2"; shift 2 ;;
        --mem) mem="$2"; shift 2 ;;
        --append) append="$2"; shift 2 ;;
        --disk) disk="$2"; shift 2 ;;
        --gdb) gdb=1; shift ;;
        --no-net) net=0; shift ;;
        --no-rng) rng=0; shift ;;
        *) echo "run-node: unknown option $1" >&2; exit 2 ;;
    esac
done

kernel=build/pusos.elf
[ -f "$kernel" ] || { echo "run-node: $kernel is missing; run make first" >&2; exit 1; }

args=(-machine virt -nographic -m "$mem" -smp "$smp" -kernel "$kernel")
[ -n "$append" ] && args+=(-append "$append")

# The node's disk, kept across runs: made with pusfs when the tool exists,
# else left blank (zeros) for the kernel to format at first boot.
if [ -z "$disk" ]; then
    disk=build/node-disk.img
    if [ ! -f "$disk" ]; then
        mkdir -p build
        if [ -x build/bin/pusfs ]; then
            echo "run-node: creating $disk (16 MiB littlefs image)"
            build/bin/pusfs mkfs "$disk" --block-size 4096 --blocks 4096
        else
            echo "run-node: creating blank $disk (16 MiB; the node formats it)"
            truncate -s 16M "$disk"
        fi
    fi
fi
if [ -n "$disk" ]; then
    args+=(-global virtio-mmio.force-legacy=false
           -drive "file=$disk,if=none,format=raw,id=disk0"
           -device virtio-blk-device,drive=disk0)
fi

# Network: QEMU user networking (the node gets 10.0.2.15 by DHCP and reaches
# the host as 10.0.2.2); the node's HTTP API is forwarded to the host's
# 127.0.0.1:$HTTP_PORT (default 8080).
if [ "$net" = 1 ]; then
    args+=(-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:${http_port}-:80"
           -device virtio-net-device,netdev=net0)
fi

# Host entropy for the kernel's random source (virtio-rng); the node boots
# without it, seeded from the devicetree's rng-seed and timer jitter.
if [ "$rng" = 1 ]; then
    args+=(-object rng-random,filename=/dev/urandom,id=rng0
           -device virtio-rng-device,rng=rng0)
fi

echo "run-node: qemu-system-riscv64 ${args[*]}"
echo "run-node: Ctrl-A X quits QEMU"
if [ "$gdb" = 1 ]; then
    qemu-system-riscv64 "${args[@]}" -S -gdb tcp:127.0.0.1:1234 &
    qpid=$!
    trap 'kill $qpid 2>/dev/null || true' EXIT
    gdb-multiarch -q "$kernel" -ex "set architecture riscv:rv64" \
        -ex "target remote 127.0.0.1:1234"
else
    exec qemu-system-riscv64 "${args[@]}"
fi
