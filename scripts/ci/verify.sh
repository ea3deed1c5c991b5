#!/bin/sh
# A required check where no server hook can run: prove that every move of
# the target since the policy was adopted landed through the queue.
#
#   UPGRADES_REMOTE=origin UPGRADES_TARGET=main scripts/ci/verify.sh
#
# Exit 0 when every step is proven, 5 naming each commit that is not.
set -eu
remote=${UPGRADES_REMOTE:-origin}
target=${UPGRADES_TARGET:-main}

# The branch as the hub has it, and the queue's event logs (into tracking
# refs: nothing local is changed).
git fetch -q "$remote" "+refs/heads/$target:refs/remotes/$remote/$target" \
    "+refs/notes/upgrades/*:refs/upgrades-sync/$remote/notes/*"
git upgrades verify "$remote/$target"
