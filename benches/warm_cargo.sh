#!/bin/sh
# Approve and propose on a real project layout against the same test command
# run warm in a plain checkout.
#
#   benches/warm_cargo.sh <dir containing git-upgrades> [runs]
#
# Builds a small Cargo crate (no dependencies, 40 modules with unit tests,
# Cargo.lock ignored) whose policy's test command is `cargo test -q`, lands a
# first change (the cold build, not timed), then for each run:
# - floor: in a plain clone, `git checkout` the next change and run
#   `cargo test -q` with the build directory of the previous change (warm),
#   then once more with nothing changed;
# - ours: `git upgrades propose` of the same change (tests run in the reused
#   checkout, warm from the last landing), then `git upgrades approve` of it
#   (warm from its own proposal run).
# Prints the median wall time of each and the ratios.
set -eu
bin=$(cd "$1" && pwd)
runs=${2:-5}
[ -x "$bin/git-upgrades" ] || { echo "no $bin/git-upgrades" >&2; exit 2; }
command -v cargo >/dev/null || { echo "cargo is needed" >&2; exit 2; }
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
# The toolchain stays where it is installed; everything else is scratch.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$bin:$PATH" TMPDIR="$tmp" HOME="$tmp" XDG_CACHE_HOME="$tmp/cache" \
    GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@example.com GIT_COMMITTER_NAME=A GIT_COMMITTER_EMAIL=a@example.com
git init -q -b main "$tmp/r"
cd "$tmp/r"
mkdir src
printf '[package]\nname = "warm"\nversion = "0.1.0"\nedition = "2021"\n' > Cargo.toml
printf '/target\nCargo.lock\n' > .gitignore
: > src/lib.rs
i=0
while [ "$i" -lt 40 ]; do
    echo "pub mod m$i;" >> src/lib.rs
    cat > "src/m$i.rs" <<EOF
pub fn value(x: u64) -> u64 { (0..x).map(|v| v * $i + 1).sum() }
#[cfg(test)]
mod tests {
    #[test]
    fn sums() { assert_eq!(super::value(3), 3 * $i + 3); }
}
EOF
    i=$((i + 1))
done
printf '[test]\ncommand = "cargo test -q"\ntimeout = "10m"\n[policy]\nallow_self_approval = true\n' > .upgrades.toml
git add -A && git commit -qm "a crate"
git clone -q . "$tmp/plain"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
change() { # $1: n — one module changes, as a branch off main
    git checkout -q -B "c$1" main
    echo "pub fn extra$1() -> u64 { $1 }" >> "src/m$(( $1 % 40 )).rs"
    git commit -qam "change $1"
    git checkout -q main
}

# The cold build, not timed: land a first change; warm the plain clone.
change 0
id=$(git upgrades propose c0 -m c0 -q)
git upgrades approve "$id" >/dev/null
(cd "$tmp/plain" && git fetch -q origin && git checkout -q origin/main && cargo test -q >/dev/null 2>&1)

: > "$tmp/floor"; : > "$tmp/again"; : > "$tmp/propose"; : > "$tmp/approve"
n=1
while [ "$n" -le "$runs" ]; do
    change "$n"
    (cd "$tmp/plain" && git fetch -q origin "c$n" && git checkout -q FETCH_HEAD \
        && t0=$(now) && cargo test -q >/dev/null 2>&1 && echo $(( ($(now) - t0) / 1000000 )) >> "$tmp/floor" \
        && t0=$(now) && cargo test -q >/dev/null 2>&1 && echo $(( ($(now) - t0) / 1000000 )) >> "$tmp/again")
    t0=$(now); id=$(git upgrades propose "c$n" -m "c$n" -q); echo $(( ($(now) - t0) / 1000000 )) >> "$tmp/propose"
    t0=$(now); git upgrades approve "$id" >/dev/null; echo $(( ($(now) - t0) / 1000000 )) >> "$tmp/approve"
    n=$((n + 1))
done
floor=$(median < "$tmp/floor"); again=$(median < "$tmp/again")
prop=$(median < "$tmp/propose"); appr=$(median < "$tmp/approve")
echo "cargo test after the change, warm, plain checkout: ${floor} ms"
echo "cargo test again, nothing changed, plain checkout: ${again} ms"
echo "propose (tests warm from the last landing): ${prop} ms ($(awk "BEGIN {printf \"%.2f\", $prop/$floor}")x the first)"
echo "approve (tests warm from its proposal): ${appr} ms ($(awk "BEGIN {printf \"%.2f\", $appr/$again}")x the second)"
