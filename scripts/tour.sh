#!/usr/bin/env bash
# A scripted tour of git-upgrades in a scratch repository:
# propose, list, show, approve (tests pass, target fast-forwards),
# propose and reject, then the same queue seen with plain git.
set -euo pipefail

command -v git-upgrades >/dev/null || { echo "git-upgrades is not on PATH (cargo install --path .)" >&2; exit 1; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/git-upgrades-tour.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
git init -q -b main .
git config user.name "Agent" && git config user.email agent@example.com
cat > .upgrades.toml <<'TOML'
target = "main"

[test]
command = "sh ./test.sh"
timeout = "5m"

[policy]
required_approvals = 1
TOML
printf 'def assign(tasks):\n    return tasks[0]\n' > coordinator.py
printf 'grep -q "return tasks" coordinator.py && echo "tests ok"\n' > test.sh
git add -A && git commit -qm "Initial project"

# The agent writes a fix on a branch and proposes it.
git checkout -qb self-modify/fix-task-001
printf 'def assign(tasks):\n    if not tasks:\n        return None\n    return tasks[0]\n' > coordinator.py
git commit -qam "Handle an empty task list"
git checkout -q main
run git upgrades propose self-modify/fix-task-001 -m "Fix bug in task assignment" --id fix-001
run git upgrades list
run git upgrades show fix-001
run git upgrades diff fix-001

# A person (not the proposer) approves: tests run on the exact commit, main fast-forwards.
run env GIT_COMMITTER_NAME=Reviewer GIT_COMMITTER_EMAIL=reviewer@example.com \
    git upgrades approve fix-001 -m "Looks right"
run git log --oneline -2 main

# A second proposal is rejected: its branch ref goes, its record stays.
git checkout -qb self-modify/memory-002
echo "# vector store" > memory.py && git add memory.py && git commit -qm "Add memory search"
git checkout -q main
run git upgrades propose self-modify/memory-002 -m "Add memory search feature" --id mem-002 --no-test
run env GIT_COMMITTER_NAME=Reviewer GIT_COMMITTER_EMAIL=reviewer@example.com \
    git upgrades reject mem-002 -m "Out of scope"
run git upgrades status

# The plain-git view: no tool needed to read the queue.
run git for-each-ref refs/upgrades/ refs/upgrades-archive/ refs/notes/upgrades/
run git log --format='%h %s' refs/notes/upgrades/fix-001
run git log -1 --notes='upgrades/*' --format='%h %s%n%N' main
run git fsck --strict --no-progress
echo
echo "tour finished"
