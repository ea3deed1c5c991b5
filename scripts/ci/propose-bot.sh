#!/bin/sh
# A bot's change: propose what the job changed in the working tree, and
# publish the proposal for a person to review.
#
#   UPGRADES_REMOTE=origin UPGRADES_MESSAGE="Bump dependencies" scripts/ci/propose-bot.sh
#
# Prints the new upgrade's id. The proposal is recorded and pushed even when
# its tests fail (exit 3), so the failure is visible in the queue; nothing
# is proposed when the working tree is clean (exit 2).
set -eu
remote=${UPGRADES_REMOTE:-origin}
message=${UPGRADES_MESSAGE:?set UPGRADES_MESSAGE to describe the change}

git upgrades pull "$remote"
status=0
id=$(git upgrades propose --worktree -q -m "$message") || status=$?
[ -n "$id" ] || exit "$status"
git upgrades push "$remote"
echo "$id"
exit "$status"
