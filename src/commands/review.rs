//! `git upgrades review`: walk the pending upgrades one at a time.

use std::io::IsTerminal;
use std::io::Write;

use clap::Args;
use dialoguer::{theme::ColorfulTheme, theme::SimpleTheme, theme::Theme, Input, Select};

use crate::error::{Error, Result};
use crate::ops::{self, ApproveOutcome, ApproveRequest, RejectRequest};
use crate::store::{Store, Upgrade};
use crate::ui::progress::Spinner;
use crate::ui::{escape, render, Style, Ui};

/// Review pending upgrades interactively: read, view the diff, approve, reject or skip
///
/// Needs a terminal; scripts use `approve` and `reject` instead.
#[derive(Args, Debug, Clone)]
pub struct ReviewArgs {
    /// Only this upgrade (default: every open upgrade, oldest first)
    pub id: Option<String>,
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
        s.push_str(&format!("  … and {} more files\n", r.files.len() - 20));
    }
    s.push_str(&format!(
        "  {} files, +{} -{}   tests: {}   approvals: {}\n",
        r.stats.files,
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
    let text = escape::terminal(&text, false);
    match crate::ui::progress::pager_command(Some(repo))
        .and_then(|p| crate::ui::progress::spawn_pager(&p))
    {
        Some(mut stdin) => {
            let _ = stdin.write_all(text.as_bytes());
            drop(stdin);
            crate::ui::progress::finish_pager();
        }
        None => ui.eprint(&text),
    }
    Ok(())
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
    let (mut approved, mut rejected, mut skipped) = (0, 0, 0);
    let mut code = 0;
    'upgrades: for (n, up) in pending.iter().enumerate() {
        ui.eprint(&header(ui, up));
        loop {
            let choice = Select::with_theme(theme)
                .with_prompt(format!("[{}/{}] {}", n + 1, total, up.id))
                .items(["approve", "reject", "view diff", "skip", "quit"])
                .default(0)
                .interact_opt()
                .map_err(dialog_error)?;
            match choice {
                Some(0) => {
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
                            approved += 1;
                        }
                        Ok(ApproveOutcome::Recorded(u)) => {
                            ui.eprint(&format!(
                                "{} approved {} ({})\n",
                                ui.paint_err(Style::Good, ui.check()),
                                u.id,
                                u.record.state
                            ));
                            approved += 1;
                        }
                        Ok(ApproveOutcome::TestsFailed(u)) => {
                            ui.eprint(&format!(
                                "{} tests failed; {} is failed and {} untouched\n",
                                ui.paint_err(Style::Bad, ui.cross()),
                                u.id,
                                escape::text(&u.record.target)
                            ));
                            code = crate::error::EXIT_TESTS_FAILED;
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
                        }
                    }
                    continue 'upgrades;
                }
                Some(1) => {
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
                            rejected += 1;
                        }
                        Err(e) => {
                            let msg = escape::text(&e.to_string()).into_owned();
                            ui.eprint(&format!("{} {msg}\n", ui.paint_err(Style::Bad, "error:")));
                            code = code.max(e.kind.exit_code());
                        }
                    }
                    continue 'upgrades;
                }
                Some(2) => show_diff(ui, &repo, up)?,
                Some(3) => {
                    skipped += 1;
                    continue 'upgrades;
                }
                _ => break 'upgrades,
            }
        }
    }
    ui.line(&format!(
        "reviewed: {approved} approved, {rejected} rejected, {skipped} skipped"
    ))?;
    Ok(code)
}
