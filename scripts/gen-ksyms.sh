#!/bin/sh
# Turns `nm -n` output of the first kernel link into an assembly table of
# function addresses and names, sorted by address, for symbolized backtraces
# (see kernel/ksyms.c). With /dev/null as input it writes an empty table.
set -e
in="$1"
[ "$in" = "-" ] && in=/dev/stdin
echo '    .section .rodata.ksyms, "a"'
echo '    .balign 8'
echo '    .globl ksyms_table'
echo 'ksyms_table:'
awk '$2 ~ /^[tTwW]$/ && $3 !~ /^\.L/ && $3 !~ /^\$/ { print "    .dword 0x" $1 ", .Lname" NR; names[NR] = $3 }
     END { print "    .dword 0, 0"; print "    .section .rodata.ksyms_names, \"a\"";
           for (i in names) print ".Lname" i ": .asciz \"" names[i] "\"" }' "$in"
