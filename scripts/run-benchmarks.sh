#!/bin/bash
# Runs every benchmark folder (bench/NAME/run), or only the one named.
# Each prints its figures beside the targets its issue names and, where an
# anchor can run here, beside that anchor measured in the same run.
set -uo pipefail
cd "$(dirname "$0")/.."
only="${1:-}"
status=0
for run in bench/*/run; do
    [ -x "$run" ] || continue
    name=$(basename "$(dirname "$run")")
    [ -n "$only" ] && [ "$only" != "$name" ] && continue
    echo "=== bench/$name"
    if ! "$run"; then
        echo "bench/$name: FAILED" >&2
        status=1
    fi
done
exit $status
