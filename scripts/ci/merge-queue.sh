#!/bin/sh
# CI merge queue: land every approved upgrade, oldest first, and publish.
#
#   UPGRADES_REMOTE=origin scripts/ci/merge-queue.sh
#
# Run in a clone with git-upgrades on PATH and a git identity for the job
# (git config user.name / user.email). Pulls the queue, runs the policy's
# scheduled actions (expiry, auto-approval), lands approved upgrades (each
# tested on its exact head; those the target moved past are rebased, and
# keep their approvals only if the change is unchanged), then pushes the
# target and the queue atomically. A push that lost a race is merged and
# tried once more. Exit status: 0, or apply --all's (3: some tests failed,
# 4: a conflict), or the failing step's.
set -eu
remote=${UPGRADES_REMOTE:-origin}

git upgrades pull "$remote"
git upgrades maintain
status=0
git upgrades apply --all || status=$?
git upgrades push "$remote" || git upgrades sync "$remote"
exit "$status"
