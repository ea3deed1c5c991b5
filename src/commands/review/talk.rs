//! The conversation inside `review`: comment on the upgrade shown (on a
//! file and line if wanted), request changes, read the comments, and view
//! what changed since the revision the reviewer last saw. Errors of these
//! actions are shown and the menu comes back; only terminal errors end the
//! review.

use dialoguer::{theme::Theme, Input};

use super::{dialog_error, page};
use crate::conversation::{self, Files};
use crate::error::{Error, Result};
use crate::interdiff;
use crate::ops::{self, Actor, CommentRequest};
use crate::store::Store;
use crate::ui::conversation::Pen;
use crate::ui::{escape, Style, Ui};

/// Show an action's error and go on.
fn report(ui: &Ui, e: &Error) {
    let msg = escape::text(&e.to_string()).into_owned();
    ui.eprint(&format!("{} {msg}\n", ui.paint_err(Style::Bad, "error:")));
    for h in &e.hints {
        ui.eprint(&format!(
            "{} {}\n",
            ui.paint_err(Style::Warn, "hint:"),
            escape::text(h)
        ));
    }
}

/// The "changes since" menu item, when the upgrade has several revisions:
/// since the revision the current identity last commented on, asked changes
/// of or approved (when older than the current one), else since the one
/// before the current one.
pub(super) fn since_item(store: &Store<'_>, id: &str) -> Option<(u64, String)> {
    let (_, h) = store.load_full(id).ok()?;
    let current = h.current_revision();
    if h.revisions.len() < 2 || current < 2 {
        return None;
    }
    let me = Actor::of(store).ok()?.name;
    match conversation::last_seen(&h, &me) {
        Some(seen) if seen < current => Some((
            seen,
            format!("view changes since revision {seen} (the last you saw)"),
        )),
        _ => Some((
            current - 1,
            format!("view changes since revision {}", current - 1),
        )),
    }
}

/// What changed from revision `from` to the current one, through the pager.
pub(super) fn show_since(
    ui: &Ui,
    repo: &gix::Repository,
    store: &Store<'_>,
    id: &str,
    from: u64,
) -> Result<()> {
    let (up, h) = store.load_full(id)?;
    let to = h.current_revision();
    let mut files = Files::new(store, up.tip);
    let d = interdiff::interdiff(&mut files, &h, from, to)?;
    let mut text = format!("# changes from revision {from} to revision {to}");
    if d.mode == interdiff::Mode::Patches {
        text.push_str(" (different bases: their changes are compared)");
    }
    text.push('\n');
    if d.files.is_empty() {
        text.push_str("# they make the same change\n");
    }
    text.push_str(&d.text);
    page(ui, repo, &text);
    Ok(())
}

/// Every comment and change request, through the pager.
pub(super) fn conversation(
    ui: &Ui,
    repo: &gix::Repository,
    store: &Store<'_>,
    id: &str,
) -> Result<()> {
    let (up, h) = store.load_full(id)?;
    let mut files = Files::new(store, up.tip);
    let placed = conversation::place(&mut files, &h)?;
    let lines = crate::ui::conversation::lines(&Pen::stderr(ui), &h, &placed, &mut files)?;
    if lines.is_empty() {
        ui.eprint("no comments yet\n");
        return Ok(());
    }
    page(ui, repo, &(lines.join("\n") + "\n"));
    Ok(())
}

fn ask(theme: &dyn Theme, prompt: &str, allow_empty: bool) -> Result<String> {
    Input::with_theme(theme)
        .with_prompt(prompt)
        .allow_empty(allow_empty)
        .interact_text()
        .map_err(dialog_error)
}

/// Ask for a comment, and where it goes; write it.
pub(super) fn comment(ui: &Ui, theme: &dyn Theme, store: &Store<'_>, id: &str) -> Result<()> {
    let text = ask(theme, "comment", false)?;
    let file = ask(theme, "file (empty: on the whole upgrade)", true)?;
    let file = Some(file.trim().to_string()).filter(|f| !f.is_empty());
    let line = match &file {
        Some(_) => {
            let line = ask(theme, "line (empty: on the whole file)", true)?;
            match line.trim() {
                "" => None,
                n => match n.parse::<u64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        report(ui, &Error::usage(format!("{:?} is not a line number", n)));
                        return Ok(());
                    }
                },
            }
        }
        None => None,
    };
    let req = CommentRequest {
        id: id.to_string(),
        text,
        file,
        line,
        ..CommentRequest::default()
    };
    match ops::comment(store, &req) {
        Ok(done) => ui.eprint(&format!(
            "{} commented on {} (revision {}): {}\n",
            ui.paint_err(Style::Good, ui.check()),
            done.upgrade.id,
            done.revision,
            done.comment.to_hex_with_len(10)
        )),
        Err(e) => report(ui, &e),
    }
    Ok(())
}

/// Ask what should change; record the request. True when it was recorded.
pub(super) fn request_changes(
    ui: &Ui,
    theme: &dyn Theme,
    store: &Store<'_>,
    id: &str,
) -> Result<bool> {
    let text = ask(theme, "what should change", false)?;
    match ops::request_changes(store, id, &text) {
        Ok(up) => {
            ui.eprint(&format!(
                "{} requested changes on {}: it cannot land until you approve a revision or withdraw\n",
                ui.paint_err(Style::Bad, ui.cross()),
                up.id
            ));
            Ok(true)
        }
        Err(e) => {
            report(ui, &e);
            Ok(false)
        }
    }
}
