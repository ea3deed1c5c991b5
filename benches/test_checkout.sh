#!/bin/sh
# The cost of the reused test checkout: reset to the candidate and proven
# equal to its tree before every run.
#
#   benches/test_checkout.sh <dir containing git-upgrades> [files] [bytes per file] [runs]
#
# Builds a repository of <files> files (default 3000 of 4096 bytes, in
# directories of 100) whose policy's test command is `true`, then proposes
# <runs> branches that each change one file: once with `--no-test` and once
# with the tests (which use the reused checkout, warm after the first run).
# Prints the median wall time of each and their difference, the cost of a
# test run. Compare two builds by running it with each.
set -eu
bin=$(cd "$1" && pwd)
files=${2:-3000}
size=${3:-4096}
runs=${4:-11}
[ -x "$bin/git-upgrades" ] || { echo "no $bin/git-upgrades" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PATH="$bin:$PATH" TMPDIR="$tmp" HOME="$tmp" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@example.com GIT_COMMITTER_NAME=A GIT_COMMITTER_EMAIL=a@example.com
git init -q -b main "$tmp/r"
cd "$tmp/r"
printf '[test]\ncommand = "true"\n' > .upgrades.toml
i=0
while [ "$i" -lt "$files" ]; do
    d=d$((i / 100))
    mkdir -p "$d"
    head -c "$size" /dev/urandom | od -An -x | head -c "$size" > "$d/f$i.txt"
    i=$((i + 1))
done
git add -A && git commit -qm files

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_propose() { # $1: label, $2: extra flag
    : > "$tmp/times"
    n=0
    while [ "$n" -lt "$runs" ]; do
        b="$1$n"
        git checkout -q -b "$b" main
        echo "$b" >> d0/f0.txt
        git commit -qam "$b"
        git checkout -q main
        t0=$(now)
        git upgrades propose "$b" -m "$b" $2 > /dev/null 2>&1
        t1=$(now)
        echo $(((t1 - t0) / 1000)) >> "$tmp/times"
        n=$((n + 1))
    done
    median < "$tmp/times"
}
git checkout -q -b warm main && git commit -q --allow-empty -m warm && git checkout -q main
git upgrades propose warm -m warm > /dev/null 2>&1 # creates the reused checkout
plain=$(time_propose plain --no-test)
tested=$(time_propose tested "")
echo "files=$files bytes=$size runs=$runs propose --no-test: ${plain}us, propose with tests: ${tested}us, test run: $((tested - plain))us"
