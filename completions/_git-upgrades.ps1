
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'git-upgrades' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'git-upgrades'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'git-upgrades' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('propose', 'propose', [CompletionResultType]::ParameterValue, 'Propose a commit for review: snapshot it under refs/upgrades/<id> and record it')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Record a new revision of an open upgrade (its proposer only)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List upgrades (open ones by default)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List upgrades (open ones by default)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the pending queue and recent history')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one upgrade: its record, test results and events')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the unified diff of an upgrade against its base, or between two of its revisions')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve an upgrade; once approvals are complete, test it and fast-forward its target')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Reject an upgrade: record who and why, and remove it from the queue')
            [CompletionResult]::new('comment', 'comment', [CompletionResultType]::ParameterValue, 'Comment on an upgrade, a file or a line of one of its revisions; reply; resolve')
            [CompletionResult]::new('request-changes', 'request-changes', [CompletionResultType]::ParameterValue, 'Ask for changes: a blocking vote until you approve a later revision or withdraw')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Review pending upgrades interactively: read, view the diff, comment, approve, reject')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Land an upgrade whose approvals are complete (tests run again on the exact head)')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Put the target back to the tip it had before an upgrade landed')
            [CompletionResult]::new('rebase', 'rebase', [CompletionResultType]::ParameterValue, 'Rebase an open upgrade onto its target''s current tip')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the events of every upgrade (or one), oldest first')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the queue as a static HTML dashboard into a directory')
            [CompletionResult]::new('maintain', 'maintain', [CompletionResultType]::ParameterValue, 'Run the policy''s scheduled actions: expire, auto-approve and land, prune')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Set up a repository: write a commented .upgrades.toml, optionally show notes in git log and fetch the queue')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Send the queue to a remote (one atomic, leased push)')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Fetch a remote''s queue and merge it into ours')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Pull, then push, retrying when another clone pushed in between')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Prove a branch''s history: every move after adoption landed through the queue')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until an upgrade is decided; the exit code says how')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Run as a server-side git hook on the hub (installed by `init --hub`)')
            [CompletionResult]::new('util', 'util', [CompletionResultType]::ParameterValue, 'Generate or install man pages and completions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-upgrades;propose' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'What the change does')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'What the change does')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Read the description from FILE (`-` for standard input)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the description from FILE (`-` for standard input)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Choose the upgrade id instead of generating one')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The branch to land on (default: upgrades.target, the policy''s target, main or master)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Propose the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)')
            [CompletionResult]::new('--worktree', '--worktree', [CompletionResultType]::ParameterName, 'Propose the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)')
            [CompletionResult]::new('--no-test', '--no-test', [CompletionResultType]::ParameterName, 'Do not run the tests now')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;update' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'What changed in this revision, for the reviewers')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'What changed in this revision, for the reviewers')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Take the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)')
            [CompletionResult]::new('--worktree', '--worktree', [CompletionResultType]::ParameterName, 'Take the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)')
            [CompletionResult]::new('--no-test', '--no-test', [CompletionResultType]::ParameterName, 'Do not run the tests now')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;list' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only upgrades in this state (repeatable)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Include closed upgrades (rejected, expired, applied, failed, rolled back)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Include closed upgrades (rejected, expired, applied, failed, rolled back)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;ls' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only upgrades in this state (repeatable)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Include closed upgrades (rejected, expired, applied, failed, rolled back)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Include closed upgrades (rejected, expired, applied, failed, rolled back)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;status' {
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'How many recent closed upgrades to show')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print only `<pending> <awaiting-me>`, fast enough for a shell prompt')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;show' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;diff' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'What changed from revision N to the current one')
            [CompletionResult]::new('--revisions', '--revisions', [CompletionResultType]::ParameterName, 'What changed between two revisions: A..B (A.. means up to the current one)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--stat', '--stat', [CompletionResultType]::ParameterName, 'Show only a diffstat')
            [CompletionResult]::new('--name-only', '--name-only', [CompletionResultType]::ParameterName, 'Show only the names of changed files')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;approve' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'A comment recorded with the approval')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'A comment recorded with the approval')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--no-apply', '--no-apply', [CompletionResultType]::ParameterName, 'Only record the approval; do not land')
            [CompletionResult]::new('-S', '-S ', [CompletionResultType]::ParameterName, 'Sign the approval with git''s signing set-up (implied when the policy requires it)')
            [CompletionResult]::new('--sign', '--sign', [CompletionResultType]::ParameterName, 'Sign the approval with git''s signing set-up (implied when the policy requires it)')
            [CompletionResult]::new('--rebase', '--rebase', [CompletionResultType]::ParameterName, 'First rebase it onto the target''s tip if its head does not contain it (approvals carry over only when the change is unchanged)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;reject' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Why it is rejected')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Why it is rejected')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;comment' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'The comment')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The comment')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Read the comment from FILE (`-` for standard input)')
            [CompletionResult]::new('--message-file', '--message-file', [CompletionResultType]::ParameterName, 'Read the comment from FILE (`-` for standard input)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The file the comment is about (path from the repository''s root)')
            [CompletionResult]::new('--line', '--line', [CompletionResultType]::ParameterName, 'The line of that file (as it is at the revision)')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'The revision the comment is about (default: the current one)')
            [CompletionResult]::new('--reply', '--reply', [CompletionResultType]::ParameterName, 'Answer a comment (or change request): its id or a unique prefix')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Mark the thread of a comment resolved instead of writing one')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;request-changes' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'What should change')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'What should change')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Read it from FILE (`-` for standard input)')
            [CompletionResult]::new('--message-file', '--message-file', [CompletionResultType]::ParameterName, 'Read it from FILE (`-` for standard input)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--withdraw', '--withdraw', [CompletionResultType]::ParameterName, 'Take back your open change request instead')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;review' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;apply' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the bypass is needed (recorded in the events)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Land every approved upgrade in order, rebasing onto the target as needed (merge queue)')
            [CompletionResult]::new('--urgent', '--urgent', [CompletionResultType]::ParameterName, 'Bypass the approval wait (needs --reason and policy.allow_urgent)')
            [CompletionResult]::new('--skip-tests', '--skip-tests', [CompletionResultType]::ParameterName, 'With --urgent: do not run the tests (needs policy.allow_urgent_skip_tests)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;rollback' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Why (recorded in the event)')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Why (recorded in the event)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;rebase' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;log' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep running and print new events as they happen')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep running and print new events as they happen')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;export' {
            [CompletionResult]::new('--html', '--html', [CompletionResultType]::ParameterName, 'Write the HTML dashboard into this directory')
            [CompletionResult]::new('--closed-pages', '--closed-pages', [CompletionResultType]::ParameterName, 'How many of the most recently closed upgrades get a page of their own (every open upgrade has one)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write into a non-empty directory that holds no earlier export (its index.html, style.css and u/ are replaced; other files are kept)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;maintain' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only print what would be done')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only print what would be done')
            [CompletionResult]::new('--repair', '--repair', [CompletionResultType]::ParameterName, 'First check every upgrade''s refs and complete what an interrupted process left half-done: a closed upgrade''s queue ref removed and its archive ref set, an open upgrade''s queue ref pointed back at its recorded head. Refs it cannot account for are reported, not changed')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;init' {
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Add fetch refspecs so a plain `git fetch <remote>` also brings the queue')
            [CompletionResult]::new('--test-command', '--test-command', [CompletionResultType]::ParameterName, 'The test command (default: detected)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing .upgrades.toml')
            [CompletionResult]::new('--display-notes', '--display-notes', [CompletionResultType]::ParameterName, 'Set notes.displayRef so `git log` shows who approved and tested each landed commit')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Run the test command once in a checkout of HEAD and report whether it passes (exit 3 if it does not)')
            [CompletionResult]::new('--hub', '--hub', [CompletionResultType]::ParameterName, 'On a hub (a bare repository): install the pre-receive hook that enforces the queue on every push (idempotent; --force replaces a hook that is not ours)')
            [CompletionResult]::new('--update-hook', '--update-hook', [CompletionResultType]::ParameterName, 'With --hub: install the update-hook form instead, for servers that run only update hooks (each ref judged alone)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;push' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;pull' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;sync' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;verify' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Audit only the moves after this commit')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The target name landings must name (default: from BRANCH)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;wait' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'What ends the wait')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Pull this remote while waiting')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;hook' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;util' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Write completion scripts for every supported shell into DIR')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the man pages and your shell''s completions under a prefix (default ~/.local)')
            [CompletionResult]::new('reap', 'reap', [CompletionResultType]::ParameterValue, 'Internal: run the test COMMAND and end every process it starts')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-upgrades;util;man' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;util;completions' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;util;install' {
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Install under DIR/share (default: $XDG_DATA_HOME, else ~/.local/share)')
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'Completions for this shell (default: from $SHELL)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;util;reap' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (repeatable, like git -C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON (see docs/JSON.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress output and fewer messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Stream the full test output while tests run')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-upgrades;util;help' {
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Write completion scripts for every supported shell into DIR')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the man pages and your shell''s completions under a prefix (default ~/.local)')
            [CompletionResult]::new('reap', 'reap', [CompletionResultType]::ParameterValue, 'Internal: run the test COMMAND and end every process it starts')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-upgrades;util;help;man' {
            break
        }
        'git-upgrades;util;help;completions' {
            break
        }
        'git-upgrades;util;help;install' {
            break
        }
        'git-upgrades;util;help;reap' {
            break
        }
        'git-upgrades;util;help;help' {
            break
        }
        'git-upgrades;help' {
            [CompletionResult]::new('propose', 'propose', [CompletionResultType]::ParameterValue, 'Propose a commit for review: snapshot it under refs/upgrades/<id> and record it')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Record a new revision of an open upgrade (its proposer only)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List upgrades (open ones by default)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the pending queue and recent history')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one upgrade: its record, test results and events')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the unified diff of an upgrade against its base, or between two of its revisions')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve an upgrade; once approvals are complete, test it and fast-forward its target')
            [CompletionResult]::new('reject', 'reject', [CompletionResultType]::ParameterValue, 'Reject an upgrade: record who and why, and remove it from the queue')
            [CompletionResult]::new('comment', 'comment', [CompletionResultType]::ParameterValue, 'Comment on an upgrade, a file or a line of one of its revisions; reply; resolve')
            [CompletionResult]::new('request-changes', 'request-changes', [CompletionResultType]::ParameterValue, 'Ask for changes: a blocking vote until you approve a later revision or withdraw')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Review pending upgrades interactively: read, view the diff, comment, approve, reject')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Land an upgrade whose approvals are complete (tests run again on the exact head)')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Put the target back to the tip it had before an upgrade landed')
            [CompletionResult]::new('rebase', 'rebase', [CompletionResultType]::ParameterValue, 'Rebase an open upgrade onto its target''s current tip')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the events of every upgrade (or one), oldest first')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the queue as a static HTML dashboard into a directory')
            [CompletionResult]::new('maintain', 'maintain', [CompletionResultType]::ParameterValue, 'Run the policy''s scheduled actions: expire, auto-approve and land, prune')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Set up a repository: write a commented .upgrades.toml, optionally show notes in git log and fetch the queue')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Send the queue to a remote (one atomic, leased push)')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Fetch a remote''s queue and merge it into ours')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Pull, then push, retrying when another clone pushed in between')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Prove a branch''s history: every move after adoption landed through the queue')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until an upgrade is decided; the exit code says how')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Run as a server-side git hook on the hub (installed by `init --hub`)')
            [CompletionResult]::new('util', 'util', [CompletionResultType]::ParameterValue, 'Generate or install man pages and completions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-upgrades;help;propose' {
            break
        }
        'git-upgrades;help;update' {
            break
        }
        'git-upgrades;help;list' {
            break
        }
        'git-upgrades;help;status' {
            break
        }
        'git-upgrades;help;show' {
            break
        }
        'git-upgrades;help;diff' {
            break
        }
        'git-upgrades;help;approve' {
            break
        }
        'git-upgrades;help;reject' {
            break
        }
        'git-upgrades;help;comment' {
            break
        }
        'git-upgrades;help;request-changes' {
            break
        }
        'git-upgrades;help;review' {
            break
        }
        'git-upgrades;help;apply' {
            break
        }
        'git-upgrades;help;rollback' {
            break
        }
        'git-upgrades;help;rebase' {
            break
        }
        'git-upgrades;help;log' {
            break
        }
        'git-upgrades;help;export' {
            break
        }
        'git-upgrades;help;maintain' {
            break
        }
        'git-upgrades;help;init' {
            break
        }
        'git-upgrades;help;push' {
            break
        }
        'git-upgrades;help;pull' {
            break
        }
        'git-upgrades;help;sync' {
            break
        }
        'git-upgrades;help;verify' {
            break
        }
        'git-upgrades;help;wait' {
            break
        }
        'git-upgrades;help;hook' {
            break
        }
        'git-upgrades;help;util' {
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Write completion scripts for every supported shell into DIR')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the man pages and your shell''s completions under a prefix (default ~/.local)')
            [CompletionResult]::new('reap', 'reap', [CompletionResultType]::ParameterValue, 'Internal: run the test COMMAND and end every process it starts')
            break
        }
        'git-upgrades;help;util;man' {
            break
        }
        'git-upgrades;help;util;completions' {
            break
        }
        'git-upgrades;help;util;install' {
            break
        }
        'git-upgrades;help;util;reap' {
            break
        }
        'git-upgrades;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
