
use builtin;
use str;

set edit:completion:arg-completer[git-upgrades] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'git-upgrades'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'git-upgrades'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand propose 'Propose a commit for review: snapshot it under refs/upgrades/<id> and record it'
            cand update 'Record a new revision of an open upgrade (its proposer only)'
            cand list 'List upgrades (open ones by default)'
            cand ls 'List upgrades (open ones by default)'
            cand status 'Show the pending queue and recent history'
            cand show 'Show one upgrade: its record, test results and events'
            cand diff 'Show the unified diff of an upgrade against its base, or between two of its revisions'
            cand approve 'Approve an upgrade; once approvals are complete, test it and fast-forward its target'
            cand reject 'Reject an upgrade: record who and why, and remove it from the queue'
            cand comment 'Comment on an upgrade, a file or a line of one of its revisions; reply; resolve'
            cand request-changes 'Ask for changes: a blocking vote until you approve a later revision or withdraw'
            cand review 'Review pending upgrades interactively: read, view the diff, comment, approve, reject'
            cand apply 'Land an upgrade whose approvals are complete (tests run again on the exact head)'
            cand rollback 'Put the target back to the tip it had before an upgrade landed'
            cand rebase 'Rebase an open upgrade onto its target''s current tip'
            cand log 'Show the events of every upgrade (or one), oldest first'
            cand export 'Write the queue as a static HTML dashboard into a directory'
            cand maintain 'Run the policy''s scheduled actions: expire, auto-approve and land, prune'
            cand init 'Set up a repository: write a commented .upgrades.toml, optionally show notes in git log and fetch the queue'
            cand push 'Send the queue to a remote (one atomic, leased push)'
            cand pull 'Fetch a remote''s queue and merge it into ours'
            cand sync 'Pull, then push, retrying when another clone pushed in between'
            cand verify 'Prove a branch''s history: every move after adoption landed through the queue'
            cand wait 'Wait until an upgrade is decided; the exit code says how'
            cand hook 'Run as a server-side git hook on the hub (installed by `init --hub`)'
            cand util 'Generate or install man pages and completions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-upgrades;propose'= {
            cand -m 'What the change does'
            cand --message 'What the change does'
            cand -F 'Read the description from FILE (`-` for standard input)'
            cand --file 'Read the description from FILE (`-` for standard input)'
            cand --id 'Choose the upgrade id instead of generating one'
            cand --target 'The branch to land on (default: upgrades.target, the policy''s target, main or master)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand -w 'Propose the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)'
            cand --worktree 'Propose the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)'
            cand --no-test 'Do not run the tests now'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;update'= {
            cand -m 'What changed in this revision, for the reviewers'
            cand --message 'What changed in this revision, for the reviewers'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand -w 'Take the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)'
            cand --worktree 'Take the uncommitted changes of the working tree instead (committed on top of HEAD without touching your index or files)'
            cand --no-test 'Do not run the tests now'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;list'= {
            cand --state 'Only upgrades in this state (repeatable)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand -a 'Include closed upgrades (rejected, expired, applied, failed, rolled back)'
            cand --all 'Include closed upgrades (rejected, expired, applied, failed, rolled back)'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;ls'= {
            cand --state 'Only upgrades in this state (repeatable)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand -a 'Include closed upgrades (rejected, expired, applied, failed, rolled back)'
            cand --all 'Include closed upgrades (rejected, expired, applied, failed, rolled back)'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;status'= {
            cand --history 'How many recent closed upgrades to show'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --count 'Print only `<pending> <awaiting-me>`, fast enough for a shell prompt'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;show'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;diff'= {
            cand --since 'What changed from revision N to the current one'
            cand --revisions 'What changed between two revisions: A..B (A.. means up to the current one)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --stat 'Show only a diffstat'
            cand --name-only 'Show only the names of changed files'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;approve'= {
            cand -m 'A comment recorded with the approval'
            cand --message 'A comment recorded with the approval'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --no-apply 'Only record the approval; do not land'
            cand -S 'Sign the approval with git''s signing set-up (implied when the policy requires it)'
            cand --sign 'Sign the approval with git''s signing set-up (implied when the policy requires it)'
            cand --rebase 'First rebase it onto the target''s tip if its head does not contain it (approvals carry over only when the change is unchanged)'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;reject'= {
            cand -m 'Why it is rejected'
            cand --message 'Why it is rejected'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;comment'= {
            cand -m 'The comment'
            cand --message 'The comment'
            cand -F 'Read the comment from FILE (`-` for standard input)'
            cand --message-file 'Read the comment from FILE (`-` for standard input)'
            cand --file 'The file the comment is about (path from the repository''s root)'
            cand --line 'The line of that file (as it is at the revision)'
            cand --revision 'The revision the comment is about (default: the current one)'
            cand --reply 'Answer a comment (or change request): its id or a unique prefix'
            cand --resolve 'Mark the thread of a comment resolved instead of writing one'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;request-changes'= {
            cand -m 'What should change'
            cand --message 'What should change'
            cand -F 'Read it from FILE (`-` for standard input)'
            cand --message-file 'Read it from FILE (`-` for standard input)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --withdraw 'Take back your open change request instead'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;review'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;apply'= {
            cand --reason 'Why the bypass is needed (recorded in the events)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --all 'Land every approved upgrade in order, rebasing onto the target as needed (merge queue)'
            cand --urgent 'Bypass the approval wait (needs --reason and policy.allow_urgent)'
            cand --skip-tests 'With --urgent: do not run the tests (needs policy.allow_urgent_skip_tests)'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;rollback'= {
            cand -m 'Why (recorded in the event)'
            cand --message 'Why (recorded in the event)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;rebase'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;log'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand -f 'Keep running and print new events as they happen'
            cand --follow 'Keep running and print new events as they happen'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;export'= {
            cand --html 'Write the HTML dashboard into this directory'
            cand --closed-pages 'How many of the most recently closed upgrades get a page of their own (every open upgrade has one)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --force 'Write into a non-empty directory that holds no earlier export (its index.html, style.css and u/ are replaced; other files are kept)'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;maintain'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand -n 'Only print what would be done'
            cand --dry-run 'Only print what would be done'
            cand --repair 'First check every upgrade''s refs and complete what an interrupted process left half-done: a closed upgrade''s queue ref removed and its archive ref set, an open upgrade''s queue ref pointed back at its recorded head. Refs it cannot account for are reported, not changed'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;init'= {
            cand --remote 'Add fetch refspecs so a plain `git fetch <remote>` also brings the queue'
            cand --test-command 'The test command (default: detected)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --force 'Overwrite an existing .upgrades.toml'
            cand --display-notes 'Set notes.displayRef so `git log` shows who approved and tested each landed commit'
            cand --check 'Run the test command once in a checkout of HEAD and report whether it passes (exit 3 if it does not)'
            cand --hub 'On a hub (a bare repository): install the pre-receive hook that enforces the queue on every push (idempotent; --force replaces a hook that is not ours)'
            cand --update-hook 'With --hub: install the update-hook form instead, for servers that run only update hooks (each ref judged alone)'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;push'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;pull'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;sync'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;verify'= {
            cand --since 'Audit only the moves after this commit'
            cand --target 'The target name landings must name (default: from BRANCH)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;wait'= {
            cand --timeout 'Give up after this long (e.g. 30s, 10m, 2h)'
            cand --until 'What ends the wait'
            cand --remote 'Pull this remote while waiting'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;hook'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;util'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand man 'Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR'
            cand completions 'Write completion scripts for every supported shell into DIR'
            cand install 'Install the man pages and your shell''s completions under a prefix (default ~/.local)'
            cand reap 'Internal: run the test COMMAND and end every process it starts'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-upgrades;util;man'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;util;completions'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;util;install'= {
            cand --prefix 'Install under DIR/share (default: $XDG_DATA_HOME, else ~/.local/share)'
            cand --shell 'Completions for this shell (default: from $SHELL)'
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;util;reap'= {
            cand -C 'Run as if started in <PATH> (repeatable, like git -C)'
            cand --color 'When to use colours'
            cand --json 'Print machine-readable JSON (see docs/JSON.md)'
            cand -q 'No progress output and fewer messages'
            cand --quiet 'No progress output and fewer messages'
            cand -v 'Stream the full test output while tests run'
            cand --verbose 'Stream the full test output while tests run'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-upgrades;util;help'= {
            cand man 'Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR'
            cand completions 'Write completion scripts for every supported shell into DIR'
            cand install 'Install the man pages and your shell''s completions under a prefix (default ~/.local)'
            cand reap 'Internal: run the test COMMAND and end every process it starts'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-upgrades;util;help;man'= {
        }
        &'git-upgrades;util;help;completions'= {
        }
        &'git-upgrades;util;help;install'= {
        }
        &'git-upgrades;util;help;reap'= {
        }
        &'git-upgrades;util;help;help'= {
        }
        &'git-upgrades;help'= {
            cand propose 'Propose a commit for review: snapshot it under refs/upgrades/<id> and record it'
            cand update 'Record a new revision of an open upgrade (its proposer only)'
            cand list 'List upgrades (open ones by default)'
            cand status 'Show the pending queue and recent history'
            cand show 'Show one upgrade: its record, test results and events'
            cand diff 'Show the unified diff of an upgrade against its base, or between two of its revisions'
            cand approve 'Approve an upgrade; once approvals are complete, test it and fast-forward its target'
            cand reject 'Reject an upgrade: record who and why, and remove it from the queue'
            cand comment 'Comment on an upgrade, a file or a line of one of its revisions; reply; resolve'
            cand request-changes 'Ask for changes: a blocking vote until you approve a later revision or withdraw'
            cand review 'Review pending upgrades interactively: read, view the diff, comment, approve, reject'
            cand apply 'Land an upgrade whose approvals are complete (tests run again on the exact head)'
            cand rollback 'Put the target back to the tip it had before an upgrade landed'
            cand rebase 'Rebase an open upgrade onto its target''s current tip'
            cand log 'Show the events of every upgrade (or one), oldest first'
            cand export 'Write the queue as a static HTML dashboard into a directory'
            cand maintain 'Run the policy''s scheduled actions: expire, auto-approve and land, prune'
            cand init 'Set up a repository: write a commented .upgrades.toml, optionally show notes in git log and fetch the queue'
            cand push 'Send the queue to a remote (one atomic, leased push)'
            cand pull 'Fetch a remote''s queue and merge it into ours'
            cand sync 'Pull, then push, retrying when another clone pushed in between'
            cand verify 'Prove a branch''s history: every move after adoption landed through the queue'
            cand wait 'Wait until an upgrade is decided; the exit code says how'
            cand hook 'Run as a server-side git hook on the hub (installed by `init --hub`)'
            cand util 'Generate or install man pages and completions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-upgrades;help;propose'= {
        }
        &'git-upgrades;help;update'= {
        }
        &'git-upgrades;help;list'= {
        }
        &'git-upgrades;help;status'= {
        }
        &'git-upgrades;help;show'= {
        }
        &'git-upgrades;help;diff'= {
        }
        &'git-upgrades;help;approve'= {
        }
        &'git-upgrades;help;reject'= {
        }
        &'git-upgrades;help;comment'= {
        }
        &'git-upgrades;help;request-changes'= {
        }
        &'git-upgrades;help;review'= {
        }
        &'git-upgrades;help;apply'= {
        }
        &'git-upgrades;help;rollback'= {
        }
        &'git-upgrades;help;rebase'= {
        }
        &'git-upgrades;help;log'= {
        }
        &'git-upgrades;help;export'= {
        }
        &'git-upgrades;help;maintain'= {
        }
        &'git-upgrades;help;init'= {
        }
        &'git-upgrades;help;push'= {
        }
        &'git-upgrades;help;pull'= {
        }
        &'git-upgrades;help;sync'= {
        }
        &'git-upgrades;help;verify'= {
        }
        &'git-upgrades;help;wait'= {
        }
        &'git-upgrades;help;hook'= {
        }
        &'git-upgrades;help;util'= {
            cand man 'Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR'
            cand completions 'Write completion scripts for every supported shell into DIR'
            cand install 'Install the man pages and your shell''s completions under a prefix (default ~/.local)'
            cand reap 'Internal: run the test COMMAND and end every process it starts'
        }
        &'git-upgrades;help;util;man'= {
        }
        &'git-upgrades;help;util;completions'= {
        }
        &'git-upgrades;help;util;install'= {
        }
        &'git-upgrades;help;util;reap'= {
        }
        &'git-upgrades;help;help'= {
        }
    ]
    $completions[$command]
}
