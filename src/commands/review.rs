//! `git upgrades review`: walk the pending upgrades one at a time.
//! The conversation (comments, change requests, changes since the revision
//! last seen) is in `review/talk.rs`.

mod talk;

use std::io::IsTerminal;
use std::io::Write;

use clap::Args;
use dialoguer::{theme::ColorfulTheme, theme::SimpleTheme, theme::Theme, Input, Select};

use crate::error::{Error, Result};
use crate::ops::{self, ApproveOutcome, ApproveRequest, RejectRequest};
use crate::store::{Store, Upgrade};
use crate::text::plural;
use crate::ui::progress::Spinner;
use crate::ui::{escape, render, Style, Ui};

/// Review pending upgrades interactively: read, view the diff, comment, approve, reject
///
/// For each upgrade: approve, reject, view the diff, skip, comment (on the
/// upgrade, a file or a line), request changes, read the comments, and, once
/// it has several revisions, view the changes since the revision you last
/// saw (the last one you commented on or approved). Needs a terminal;
/// scripts use `approve`, `reject`, `comment` and `request-changes` instead.
#[derive(Args, Debug, Clone)]
pub struct ReviewArgs {
    /// Only this upgrade (default: every open upgrade, oldest first)
    pub id: Option<String>,
}

/// What happened to each upgrade of a review, for the closing line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Outcomes {
    applied: usize,
    approved: usize,
    tests_failed: usize,
    rejected: usize,
    changes_requested: usize,
    skipped: usize,
    errors: usize,
}

impl Outcomes {
    /// `reviewed 4 of 5 upgrades: 1 applied, 1 failed its tests, 1 rejected, 1 skipped`:
    /// every upgrade shown is counted once, under what happened to it.
    fn summary(&self, total: usize) -> String {
        let reviewed = self.applied
            + self.approved
            + self.tests_failed
            + self.rejected
            + self.changes_requested
            + self.skipped
            + self.errors;
        let parts: Vec<String> = [
            (self.applied, "applied".to_string()),
            (self.approved, "approved".to_string()),
            (
                self.tests_failed,
                if self.tests_failed == 1 {
                    "failed its tests".to_string()
                } else {
                    "failed their tests".to_string()
                },
            ),
            (self.rejected, "rejected".to_string()),
            (self.changes_requested, "with changes requested".to_string()),
            (self.skipped, "skipped".to_string()),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .chain((self.errors > 0).then(|| plural(self.errors, "error")))
        .collect();
        let mut line = format!("reviewed {reviewed} of {}", plural(total, "upgrade"));
        if !parts.is_empty() {
            line.push_str(": ");
            line.push_str(&parts.join(", "));
        }
        line
    }
}

/// What the reviewer can do with the upgrade shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Approve,
    Reject,
    Diff,
    Skip,
    Comment,
    RequestChanges,
    Conversation,
    /// The changes since this revision.
    Since(u64),
    Quit,
}

/// True when prompting is possible: a terminal on stdin and stderr.
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn dialog_error(e: dialoguer::Error) -> Error {
    match e {
        dialoguer::Error::IO(io) => Error::from(io),
    }
}

fn header(ui: &Ui, up: &Upgrade) -> String {
    let r = &up.record;
    let mut s = String::new();
    let title = ui.paint_err(Style::Id, &format!("upgrade {}", escape::text(&up.id)));
    s.push_str(&format!(
        "\n{title}  {}\n",
        escape::text_max(&r.description, 100)
    ));
    s.push_str(&format!(
        "  proposed {} by {}  ->  {}  ({})\n",
        render::age(&r.proposed_at),
        render::who(&r.proposed_by),
        escape::text(&r.target),
        r.state
    ));
    if r.policy_change {
        s.push_str(&format!(
            "  {}\n",
            ui.paint_err(Style::Warn, "changes the policy file or a protected path")
        ));
    }
    for f in r.files.iter().take(20) {
        let counts = if f.binary {
            "binary".into()
        } else {
            format!("+{} -{}", f.added, f.removed)
        };
        s.push_str(&format!("  {:>12}  {}\n", counts, escape::path(&f.path)));
    }
    if r.files.len() > 20 {
        s.push_str(&format!(
            "  … and {} more\n",
            plural(r.files.len() - 20, "file")
        ));
    }
    if r.revisions.len() > 1 {
        let current = r.revision_number();
        let note = r
            .revisions
            .iter()
            .find(|x| x.number == current)
            .and_then(|x| x.note.as_deref())
            .map(|n| format!(": {}", escape::text_max(n, 80)))
            .unwrap_or_default();
        s.push_str(&format!(
            "  revision {current} of {}{note}\n",
            r.revisions.len()
        ));
    }
    for c in r.open_requests() {
        s.push_str(&format!(
            "  {}\n",
            ui.paint_err(
                Style::Bad,
                &format!(
                    "changes requested by {}: {}",
                    render::who(&c.by),
                    escape::text_max(&c.text, 100)
                )
            )
        ));
    }
    if r.unresolved_comments > 0 {
        s.push_str(&format!(
            "  {}\n",
            plural(r.unresolved_comments, "unresolved comment")
        ));
    }
    s.push_str(&format!(
        "  {}, +{} -{}   tests: {}   approvals: {}\n",
        plural(r.stats.files, "file"),
        r.stats.added,
        r.stats.removed,
        match r.tests.as_ref().and_then(|t| t.passed) {
            Some(true) => ui.paint_err(Style::Good, "passed"),
            Some(false) => ui.paint_err(Style::Bad, "failed"),
            None if r.tests.is_some() => "not configured".into(),
            None => "not run".into(),
        },
        r.approvals_for_head()
    ));
    s
}

/// The diff through the pager (or on stderr), paths quoted by `diff::unified`
/// and file contents escaped: review always runs on a terminal.
fn show_diff(ui: &Ui, repo: &gix::Repository, up: &Upgrade) -> Result<()> {
    let parse = |hex: &str| -> Result<gix::ObjectId> {
        hex.parse().map_err(|_| Error::failure("damaged record"))
    };
    let tree = |id: gix::ObjectId| -> Result<gix::ObjectId> {
        Ok(repo.find_commit(id)?.tree_id()?.detach())
    };
    let changes = crate::diff::changed_paths(
        repo,
        tree(parse(&up.record.base)?)?,
        tree(parse(&up.record.head)?)?,
    )?;
    let mut text = String::new();
    crate::diff::unified(repo, &changes, &mut text, None)?;
    page(ui, repo, &text);
    Ok(())
}

/// Text through the pager (or on stderr), escaped: review runs on a terminal.
fn page(ui: &Ui, repo: &gix::Repository, text: &str) {
    let text = escape::terminal(text, false);
    match crate::ui::pager::pager_command(Some(repo))
        .and_then(|p| crate::ui::pager::spawn_pager(&p))
    {
        Some(mut stdin) => {
            let _ = stdin.write_all(text.as_bytes());
            drop(stdin);
            crate::ui::pager::finish_pager();
        }
        None => ui.eprint(&text),
    }
}

/// Run `review`.
pub fn run(ui: &mut Ui, args: &ReviewArgs) -> Result<u8> {
    if ui.json {
        return Err(
            Error::usage("review is interactive; JSON output isn't supported")
                .hint("use `git upgrades list --json`, `approve` and `reject`"),
        );
    }
    if !can_prompt() {
        return Err(Error::usage("review needs a terminal").hint(
            "in scripts, use `git upgrades approve <id>` or `git upgrades reject <id> -m <reason>`",
        ));
    }
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let mut pending: Vec<Upgrade> = match &args.id {
        Some(id) => {
            let up = store.find(id)?;
            if !up.record.state.is_open() {
                return Err(Error::failure(format!(
                    "upgrade {} is {}; there is nothing to review",
                    up.id, up.record.state
                ))
                .hint(format!(
                    "`git upgrades show {}` shows what happened to it",
                    up.id
                )));
            }
            vec![up]
        }
        None => store
            .list()?
            .into_iter()
            .flatten()
            .filter(|u| u.record.state.is_open())
            .collect(),
    };
    pending.sort_by(|a, b| (&a.record.proposed_at, &a.id).cmp(&(&b.record.proposed_at, &b.id)));
    if pending.is_empty() {
        ui.note("nothing to review");
        return Ok(0);
    }
    let colorful = ColorfulTheme::default();
    let simple = SimpleTheme;
    let theme: &dyn Theme = if ui.color_err { &colorful } else { &simple };
    let total = pending.len();
    let mut done = Outcomes::default();
    let mut code = 0;
    'upgrades: for (n, up) in pending.iter().enumerate() {
        ui.eprint(&header(ui, up));
        loop {
            let since = talk::since_item(&store, &up.id);
            let mut actions = vec![
                (Action::Approve, "approve".to_string()),
                (Action::Reject, "reject".to_string()),
                (Action::Diff, "view diff".to_string()),
                (Action::Skip, "skip".to_string()),
                (Action::Comment, "comment".to_string()),
                (Action::RequestChanges, "request changes".to_string()),
                (Action::Conversation, "view comments".to_string()),
            ];
            if let Some((from, label)) = since {
                actions.push((Action::Since(from), label));
            }
            actions.push((Action::Quit, "quit".to_string()));
            let labels: Vec<&str> = actions.iter().map(|(_, l)| l.as_str()).collect();
            let choice = Select::with_theme(theme)
                .with_prompt(format!("[{}/{}] {}", n + 1, total, up.id))
                .items(&labels)
                .default(0)
                .interact_opt()
                .map_err(dialog_error)?;
            let action = choice.map_or(Action::Quit, |c| actions[c].0);
            match action {
                Action::Approve => {
                    let comment: String = Input::with_theme(theme)
                        .with_prompt("comment (optional)")
                        .allow_empty(true)
                        .interact_text()
                        .map_err(dialog_error)?;
                    let req = ApproveRequest {
                        id: up.id.clone(),
                        comment: Some(comment).filter(|c| !c.trim().is_empty()),
                        apply: true,
                        sign: false,
                    };
                    let mut spinner = Spinner::new(!ui.quiet, ui.verbose);
                    let outcome = ops::approve(&store, &req, &mut spinner);
                    drop(spinner);
                    match outcome {
                        Ok(ApproveOutcome::Applied(u)) => {
                            ui.eprint(&format!(
                                "{} applied {} to {}\n",
                                ui.paint_err(Style::Good, ui.check()),
                                u.id,
                                escape::text(&u.record.target)
                            ));
                            done.applied += 1;
                        }
                        Ok(ApproveOutcome::Recorded(u)) => {
                            ui.eprint(&format!(
                                "{} approved {} ({})\n",
                                ui.paint_err(Style::Good, ui.check()),
                                u.id,
                                u.record.state
                            ));
                            done.approved += 1;
                        }
                        Ok(ApproveOutcome::TestsFailed(u)) => {
                            ui.eprint(&format!(
                                "{} tests failed; {} is failed and {} untouched\n",
                                ui.paint_err(Style::Bad, ui.cross()),
                                u.id,
                                escape::text(&u.record.target)
                            ));
                            code = crate::error::EXIT_TESTS_FAILED;
                            done.tests_failed += 1;
                        }
                        Err(e) => {
                            let msg = escape::text(&e.to_string()).into_owned();
                            ui.eprint(&format!("{} {msg}\n", ui.paint_err(Style::Bad, "error:")));
                            for h in &e.hints {
                                ui.eprint(&format!(
                                    "{} {}\n",
                                    ui.paint_err(Style::Warn, "hint:"),
                                    escape::text(h)
                                ));
                            }
                            code = code.max(e.kind.exit_code());
                            done.errors += 1;
                        }
                    }
                    continue 'upgrades;
                }
                Action::Reject => {
                    let reason: String = Input::with_theme(theme)
                        .with_prompt("reason")
                        .interact_text()
                        .map_err(dialog_error)?;
                    match ops::reject(
                        &store,
                        &RejectRequest {
                            id: up.id.clone(),
                            reason: Some(reason),
                        },
                    ) {
                        Ok(u) => {
                            ui.eprint(&format!(
                                "{} rejected {}\n",
                                ui.paint_err(Style::Bad, ui.cross()),
                                u.id
                            ));
                            done.rejected += 1;
                        }
                        Err(e) => {
                            let msg = escape::text(&e.to_string()).into_owned();
                            ui.eprint(&format!("{} {msg}\n", ui.paint_err(Style::Bad, "error:")));
                            code = code.max(e.kind.exit_code());
                            done.errors += 1;
                        }
                    }
                    continue 'upgrades;
                }
                Action::Diff => show_diff(ui, &repo, up)?,
                Action::Skip => {
                    done.skipped += 1;
                    continue 'upgrades;
                }
                Action::Comment => talk::comment(ui, theme, &store, &up.id)?,
                Action::RequestChanges => {
                    if talk::request_changes(ui, theme, &store, &up.id)? {
                        done.changes_requested += 1;
                        continue 'upgrades;
                    }
                }
                Action::Conversation => talk::conversation(ui, &repo, &store, &up.id)?,
                Action::Since(from) => talk::show_since(ui, &repo, &store, &up.id, from)?,
                Action::Quit => break 'upgrades,
            }
        }
    }
    ui.line(&done.summary(total))?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reviewed_upgrade_is_counted_once() {
        let done = Outcomes {
            applied: 1,
            tests_failed: 1,
            rejected: 1,
            skipped: 1,
            ..Outcomes::default()
        };
        assert_eq!(
            done.summary(4),
            "reviewed 4 of 4 upgrades: 1 applied, 1 failed its tests, 1 rejected, 1 skipped"
        );
        let partial = Outcomes {
            approved: 2,
            errors: 1,
            ..Outcomes::default()
        };
        assert_eq!(
            partial.summary(5),
            "reviewed 3 of 5 upgrades: 2 approved, 1 error"
        );
        assert_eq!(Outcomes::default().summary(1), "reviewed 0 of 1 upgrade");
    }
}
