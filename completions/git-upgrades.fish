# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_git_upgrades_global_optspecs
    string join \n C= json color= q/quiet v/verbose h/help V/version
end

function __fish_git_upgrades_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_git_upgrades_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_git_upgrades_using_subcommand
    set -l cmd (__fish_git_upgrades_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "propose" -d 'Propose a commit for review: snapshot it under refs/upgrades/<id> and record it'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "update" -d 'Record a new revision of an open upgrade (its proposer only)'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "list" -d 'List upgrades (open ones by default)'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "ls" -d 'List upgrades (open ones by default)'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "status" -d 'Show the pending queue and recent history'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "show" -d 'Show one upgrade: its record, test results and events'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "diff" -d 'Show the unified diff of an upgrade against its base, or between two of its revisions'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "approve" -d 'Approve an upgrade; once approvals are complete, test it and fast-forward its target'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "reject" -d 'Reject an upgrade: record who and why, and remove it from the queue'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "comment" -d 'Comment on an upgrade, a file or a line of one of its revisions; reply; resolve'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "request-changes" -d 'Ask for changes: a blocking vote until you approve a later revision or withdraw'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "review" -d 'Review pending upgrades interactively: read, view the diff, comment, approve, reject'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "apply" -d 'Land an upgrade whose approvals are complete (tests run again on the exact head)'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "rollback" -d 'Put the target back to the tip it had before an upgrade landed'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "rebase" -d 'Rebase an open upgrade onto its target\'s current tip'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "log" -d 'Show the events of every upgrade (or one), oldest first'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "export" -d 'Write the queue as a static HTML dashboard into a directory'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "maintain" -d 'Run the policy\'s scheduled actions: expire, auto-approve and land, prune'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "init" -d 'Set up a repository: write a commented .upgrades.toml, optionally show notes in git log and fetch the queue'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "push" -d 'Send the queue to a remote (one atomic, leased push)'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "pull" -d 'Fetch a remote\'s queue and merge it into ours'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "sync" -d 'Pull, then push, retrying when another clone pushed in between'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "verify" -d 'Prove a branch\'s history: every move after adoption landed through the queue'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "wait" -d 'Wait until an upgrade is decided; the exit code says how'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "hook" -d 'Run as a server-side git hook on the hub (installed by `init --hub`)'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "util" -d 'Generate or install man pages and completions'
complete -c git-upgrades -n "__fish_git_upgrades_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -s m -l message -d 'What the change does' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -s F -l file -d 'Read the description from FILE (`-` for standard input)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -l id -d 'Choose the upgrade id instead of generating one' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -l target -d 'The branch to land on (default: upgrades.target, the policy\'s target, main or master)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -s w -l worktree -d 'Propose the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -l no-test -d 'Do not run the tests now'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand propose" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -s m -l message -d 'What changed in this revision, for the reviewers' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -s w -l worktree -d 'Take the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -l no-test -d 'Do not run the tests now'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand update" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand list" -l state -d 'Only upgrades in this state (repeatable)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand list" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand list" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand list" -s a -l all -d 'Include closed upgrades (rejected, expired, applied, failed, rolled back)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand list" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand list" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand list" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand list" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand ls" -l state -d 'Only upgrades in this state (repeatable)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand ls" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand ls" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand ls" -s a -l all -d 'Include closed upgrades (rejected, expired, applied, failed, rolled back)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand ls" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand ls" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand ls" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand ls" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand status" -l history -d 'How many recent closed upgrades to show' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand status" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand status" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand status" -l count -d 'Print only `<pending> <awaiting-me>`, fast enough for a shell prompt'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand status" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand status" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand status" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand status" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand show" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand show" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand show" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand show" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand show" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand show" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -l since -d 'What changed from revision N to the current one' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -l revisions -d 'What changed between two revisions: A..B (A.. means up to the current one)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -l stat -d 'Show only a diffstat'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -l name-only -d 'Show only the names of changed files'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand diff" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -s m -l message -d 'A comment recorded with the approval' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -l no-apply -d 'Only record the approval; do not land'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -s S -l sign -d 'Sign the approval with git\'s signing set-up (implied when the policy requires it)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -l rebase -d 'First rebase it onto the target\'s tip if its head does not contain it (approvals carry over only when the change is unchanged)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand approve" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand reject" -s m -l message -d 'Why it is rejected' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand reject" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand reject" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand reject" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand reject" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand reject" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand reject" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand reject" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -s m -l message -d 'The comment' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -s F -l message-file -d 'Read the comment from FILE (`-` for standard input)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -l file -d 'The file the comment is about (path from the repository\'s root)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -l line -d 'The line of that file (as it is at the revision)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -l revision -d 'The revision the comment is about (default: the current one)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -l reply -d 'Answer a comment (or change request): its id or a unique prefix' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -l resolve -d 'Mark the thread of a comment resolved instead of writing one' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand comment" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -s m -l message -d 'What should change' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -s F -l message-file -d 'Read it from FILE (`-` for standard input)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -l withdraw -d 'Take back your open change request instead'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand request-changes" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand review" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand review" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand review" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand review" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand review" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand review" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand review" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -l reason -d 'Why the bypass is needed (recorded in the events)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -l all -d 'Land every approved upgrade in order, rebasing onto the target as needed (merge queue)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -l urgent -d 'Bypass the approval wait (needs --reason and policy.allow_urgent)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -l skip-tests -d 'With --urgent: do not run the tests (needs policy.allow_urgent_skip_tests)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand apply" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rollback" -s m -l message -d 'Why (recorded in the event)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rollback" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rollback" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rollback" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rollback" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rollback" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rebase" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rebase" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rebase" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rebase" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rebase" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rebase" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand rebase" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand log" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand log" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand log" -s f -l follow -d 'Keep running and print new events as they happen'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand log" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand log" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand log" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand log" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -l html -d 'Write the HTML dashboard into this directory' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -l closed-pages -d 'How many of the most recently closed upgrades get a page of their own (every open upgrade has one)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -l force -d 'Write into a non-empty directory that holds no earlier export (its index.html, style.css and u/ are replaced; other files are kept)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand export" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand maintain" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand maintain" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand maintain" -s n -l dry-run -d 'Only print what would be done'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand maintain" -l repair -d 'First check every upgrade\'s refs and complete what an interrupted process left half-done: a closed upgrade\'s queue ref removed and its archive ref set, an open upgrade\'s queue ref pointed back at its recorded head. Refs it cannot account for are reported, not changed'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand maintain" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand maintain" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand maintain" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand maintain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand maintain" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -l remote -d 'Add fetch refspecs so a plain `git fetch <remote>` also brings the queue' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -l test-command -d 'The test command (default: detected)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -l force -d 'Overwrite an existing .upgrades.toml'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -l display-notes -d 'Set notes.displayRef so `git log` shows who approved and tested each landed commit'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -l check -d 'Run the test command once in a checkout of HEAD and report whether it passes (exit 3 if it does not)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -l hub -d 'On a hub (a bare repository): install the pre-receive hook that enforces the queue on every push (idempotent; --force replaces a hook that is not ours)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -l update-hook -d 'With --hub: install the update-hook form instead, for servers that run only update hooks (each ref judged alone)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand init" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand push" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand push" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand push" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand push" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand push" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand push" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand pull" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand pull" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand pull" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand pull" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand pull" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand pull" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand pull" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand sync" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand sync" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand sync" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand sync" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand sync" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand sync" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand verify" -l since -d 'Audit only the moves after this commit' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand verify" -l target -d 'The target name landings must name (default: from BRANCH)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand verify" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand verify" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand verify" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand verify" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand verify" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand verify" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -l timeout -d 'Give up after this long (e.g. 30s, 10m, 2h)' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -l until -d 'What ends the wait' -r -f -a "decided\t'A final decision: applied, rejected, expired, failed or rolled back'
approved\t'Approvals complete (or a final decision)'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -l remote -d 'Pull this remote while waiting' -r
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand wait" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand hook" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand hook" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand hook" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand hook" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand hook" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand hook" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand hook" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -f -a "man" -d 'Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -f -a "completions" -d 'Write completion scripts for every supported shell into DIR'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -f -a "install" -d 'Install the man pages and your shell\'s completions under a prefix (default ~/.local)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -f -a "reap" -d 'Internal: run the test COMMAND and end every process it starts'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and not __fish_seen_subcommand_from man completions install reap help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from man" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from man" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from man" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from man" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from man" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from man" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from completions" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from completions" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from completions" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from completions" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from completions" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from completions" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from install" -l prefix -d 'Install under DIR/share (default: $XDG_DATA_HOME, else ~/.local/share)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from install" -l shell -d 'Completions for this shell (default: from $SHELL)' -r -f -a "bash\t'bash'
zsh\t'zsh'
fish\t'fish'
all\t'bash, zsh and fish'
none\t'no completions, man pages only'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from install" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from install" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from install" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from install" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from install" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from reap" -s C -d 'Run as if started in <PATH> (repeatable, like git -C)' -r -F
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from reap" -l color -d 'When to use colours' -r -f -a "auto\t'Colour when writing to a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from reap" -l json -d 'Print machine-readable JSON (see docs/JSON.md)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from reap" -s q -l quiet -d 'No progress output and fewer messages'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from reap" -s v -l verbose -d 'Stream the full test output while tests run'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from reap" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from reap" -s V -l version -d 'Print version'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from help" -f -a "man" -d 'Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from help" -f -a "completions" -d 'Write completion scripts for every supported shell into DIR'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from help" -f -a "install" -d 'Install the man pages and your shell\'s completions under a prefix (default ~/.local)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from help" -f -a "reap" -d 'Internal: run the test COMMAND and end every process it starts'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand util; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "propose" -d 'Propose a commit for review: snapshot it under refs/upgrades/<id> and record it'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "update" -d 'Record a new revision of an open upgrade (its proposer only)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "list" -d 'List upgrades (open ones by default)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "status" -d 'Show the pending queue and recent history'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "show" -d 'Show one upgrade: its record, test results and events'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "diff" -d 'Show the unified diff of an upgrade against its base, or between two of its revisions'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "approve" -d 'Approve an upgrade; once approvals are complete, test it and fast-forward its target'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "reject" -d 'Reject an upgrade: record who and why, and remove it from the queue'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "comment" -d 'Comment on an upgrade, a file or a line of one of its revisions; reply; resolve'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "request-changes" -d 'Ask for changes: a blocking vote until you approve a later revision or withdraw'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "review" -d 'Review pending upgrades interactively: read, view the diff, comment, approve, reject'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "apply" -d 'Land an upgrade whose approvals are complete (tests run again on the exact head)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "rollback" -d 'Put the target back to the tip it had before an upgrade landed'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "rebase" -d 'Rebase an open upgrade onto its target\'s current tip'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "log" -d 'Show the events of every upgrade (or one), oldest first'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "export" -d 'Write the queue as a static HTML dashboard into a directory'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "maintain" -d 'Run the policy\'s scheduled actions: expire, auto-approve and land, prune'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "init" -d 'Set up a repository: write a commented .upgrades.toml, optionally show notes in git log and fetch the queue'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "push" -d 'Send the queue to a remote (one atomic, leased push)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "pull" -d 'Fetch a remote\'s queue and merge it into ours'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "sync" -d 'Pull, then push, retrying when another clone pushed in between'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "verify" -d 'Prove a branch\'s history: every move after adoption landed through the queue'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "wait" -d 'Wait until an upgrade is decided; the exit code says how'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "hook" -d 'Run as a server-side git hook on the hub (installed by `init --hub`)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "util" -d 'Generate or install man pages and completions'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and not __fish_seen_subcommand_from propose update list status show diff approve reject comment request-changes review apply rollback rebase log export maintain init push pull sync verify wait hook util help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and __fish_seen_subcommand_from util" -f -a "man" -d 'Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and __fish_seen_subcommand_from util" -f -a "completions" -d 'Write completion scripts for every supported shell into DIR'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and __fish_seen_subcommand_from util" -f -a "install" -d 'Install the man pages and your shell\'s completions under a prefix (default ~/.local)'
complete -c git-upgrades -n "__fish_git_upgrades_using_subcommand help; and __fish_seen_subcommand_from util" -f -a "reap" -d 'Internal: run the test COMMAND and end every process it starts'
