//! Documentation generated from the clap definition: the man pages (with
//! the exit-status table from `error::EXIT_CODES`) and the shell
//! completions. `util man`, `util completions` and `util install` write
//! what these return; a test checks the committed `man/` and `completions/`
//! are fresh.

use crate::error::{Context, Result};

/// What the command layer's `util` writes and installs, made here where the
/// command-line definition lives (so `commands` never imports `cli`).
pub const GENERATED: crate::commands::util::Generated = crate::commands::util::Generated {
    man_pages,
    completions,
};

/// The man pages as (file name, contents).
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let cmd = super::command()
        .name("git-upgrades")
        .bin_name("git upgrades");
    let mut pages = Vec::new();
    let mut main = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut main)
        .context("cannot render the man page")?;
    main.extend_from_slice(man_exit().as_bytes());
    main.extend_from_slice(MAN_EXTRA.as_bytes());
    pages.push(("git-upgrades.1".to_string(), main));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name: &'static str =
            Box::leak(format!("git-upgrades-{}", sub.get_name()).into_boxed_str());
        let sub = sub
            .clone()
            .name(name)
            .bin_name(format!("git upgrades {}", sub.get_name()));
        let sub = sub.display_name(name);
        let mut page = Vec::new();
        clap_mangen::Man::new(sub)
            .render(&mut page)
            .context("cannot render a man page")?;
        page.extend_from_slice(man_exit().as_bytes());
        page.extend_from_slice(b".SH \"SEE ALSO\"\n\\fBgit-upgrades\\fR(1)\n");
        pages.push((format!("{name}.1"), page));
    }
    Ok(pages)
}

/// The completion scripts as (file name, contents).
pub fn completions() -> Vec<(String, Vec<u8>)> {
    use clap_complete::Shell;
    let mut out = Vec::new();
    for (shell, file) in [
        (Shell::Bash, "git-upgrades.bash"),
        (Shell::Zsh, "_git-upgrades"),
        (Shell::Fish, "git-upgrades.fish"),
        (Shell::PowerShell, "_git-upgrades.ps1"),
        (Shell::Elvish, "git-upgrades.elv"),
    ] {
        let mut cmd = super::command().bin_name("git-upgrades");
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "git-upgrades", &mut buf);
        if shell == Shell::Bash {
            buf.extend_from_slice(git_bash_shim().as_bytes());
        }
        out.push((file.to_string(), buf));
    }
    out
}

/// git's bash completion calls `_git_<subcommand>` for `git <subcommand>`;
/// clap_complete only completes `git-upgrades`, so add that function too.
fn git_bash_shim() -> String {
    let cmd = super::command();
    let mut subs: Vec<String> = Vec::new();
    let mut cases = String::new();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut names = vec![sub.get_name().to_string()];
        names.extend(sub.get_visible_aliases().map(str::to_string));
        let flags: Vec<String> = sub
            .get_arguments()
            .filter(|a| !a.is_positional() && !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        cases.push_str(&format!(
            "\t{})\n\t\tflags=\"{}\" ;;\n",
            names.join("|"),
            flags.join(" ")
        ));
        subs.extend(names);
    }
    format!(
        r#"
# `git upgrades <TAB>`: git's own completion calls _git_upgrades.
_git_upgrades ()
{{
	local subcommands="{subs}"
	local subcommand="$(__git_find_on_cmdline "$subcommands")"
	if [ -z "$subcommand" ]; then
		__gitcomp "$subcommands"
		return
	fi
	local flags=""
	case "$subcommand" in
{cases}	esac
	case "$cur" in
	-*)
		__gitcomp "$flags --json --color= --quiet --verbose --help"
		return ;;
	esac
	case "$subcommand" in
	show|diff|approve|reject|review|apply|rollback|rebase|log)
		__gitcomp_nl "$(__git for-each-ref --format='%(refname:strip=3)' refs/notes/upgrades/ 2>/dev/null)" ;;
	propose)
		__git_complete_refs ;;
	push|pull|sync)
		__gitcomp_nl "$(__git remote 2>/dev/null)" ;;
	esac
}}
"#,
        subs = subs.join(" ")
    )
}

/// The EXIT STATUS section, from `error::EXIT_CODES`.
fn man_exit() -> String {
    let mut out = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in crate::error::EXIT_CODES {
        out.push_str(&format!(
            ".TP\n\\fB{code}\\fR\n{}\n",
            meaning.replace('-', "\\-")
        ));
    }
    out
}

const MAN_EXTRA: &str = r#".SH "JSON OUTPUT"
Every command that reports something accepts \fB\-\-json\fR. Objects carry \fBformat\fR (1).
An upgrade object has \fBid\fR, \fBstate\fR (proposed, approved, rejected, expired, applied, failed,
rolled\-back), \fBdescription\fR, \fBtarget\fR, \fBbase\fR, \fBhead\fR, \fBproposed_by\fR,
\fBproposed_at\fR (RFC 3339), \fBfiles\fR (path, status, added, removed, binary), \fBstats\fR,
\fBtests\fR (null, or status, passed, exit_code, duration_ms, command, output, commit, at),
\fBapprovals\fR (by, at, head, comment), \fBclosed\fR, \fBlanding\fR, \fBurgent\fR,
\fBpolicy_change\fR, \fBupdated_at\fR, \fBseq\fR and \fBopen\fR; \fBshow\fR adds \fBevents\fR.
\fBlog \-\-json\fR prints one event per line: \fBevent\fR, \fBid\fR, \fBactor\fR, \fBtime\fR,
\fBseq\fR, \fBcommit\fR, \fBdetails\fR.
\fBverify \-\-json\fR prints \fBtarget\fR, \fBtip\fR, \fBproven\fR, \fBviolations\fR and \fBsteps\fR
(commit, previous, result: proven, violation or before\-adoption, upgrade, approvals, tests,
landed_by, urgent, reason), newest first.
.SH FILES
.TP
\fI.upgrades.toml\fR
The policy, read from the committed tree of the target branch (never the working tree).
.TP
\fIrefs/upgrades/<id>\fR
The proposed commit of an open upgrade.
.TP
\fIrefs/upgrades\-archive/<id>\fR
The reviewed commit of a closed upgrade, kept reachable until pruned.
.TP
\fIrefs/notes/upgrades/<id>\fR
The upgrade's record (a note on its head) and event log (one commit per event).
.TP
\fIrefs/upgrades\-sync/<remote>/\fR
What was last fetched from a remote's queue.
.SH EXAMPLES
.nf
git upgrades propose my\-branch \-m "Fix bug in task assignment"
git upgrades                      # the pending queue and recent history
git upgrades show 3f9a
git upgrades diff 3f9a \-\-stat
git upgrades approve 3f9a \-m "looks good"
git upgrades reject 3f9a \-m "out of scope"
git upgrades review
git upgrades log \-\-follow \-\-json
git upgrades sync origin
git upgrades apply \-\-all        # CI merge queue
git upgrades verify origin/main   # prove every landing since adoption (CI check)
git for\-each\-ref refs/upgrades/  # the open queue, with plain git
git log \-\-notes='upgrades/*' main
.fi
.SH "SEE ALSO"
\fBgit\-notes\fR(1), \fBgit\-for\-each\-ref\fR(1), \fBgit\-log\fR(1)
"#;
