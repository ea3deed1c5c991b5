//! `git upgrades comment`

use clap::Args;

use crate::error::Result;
use crate::ops::{self, CommentRequest};
use crate::record::MAX_COMMENT_BYTES;
use crate::store::Store;
use crate::ui::json::{CommentedJson, NewCommentJson, ResolvedJson, JSON_FORMAT};
use crate::ui::{escape, Style, Ui};

/// Comment on an upgrade, a file or a line of one of its revisions; reply; resolve
///
/// A comment is an `upgrade.commented` event in the upgrade's own chain
/// (`git log refs/notes/upgrades/<id>` shows it); its id is that event
/// commit. `--line` counts lines of the file as it is at the revision
/// (default: the current one; for a reply, the one answered). `show` prints
/// comments under the lines they are about, and marks them outdated when a
/// later revision changed their line. A line or file that does not exist at
/// that revision is a usage error (exit 2), as is a comment over 64 KiB;
/// nothing is written then.
#[derive(Args, Debug, Clone)]
pub struct CommentArgs {
    /// Upgrade id (or a unique prefix)
    pub id: String,
    /// The comment
    #[arg(
        short,
        long,
        value_name = "TEXT",
        required_unless_present_any = ["message_file", "resolve"],
        conflicts_with = "message_file"
    )]
    pub message: Option<String>,
    /// Read the comment from FILE (`-` for standard input)
    #[arg(short = 'F', long, value_name = "FILE")]
    pub message_file: Option<std::path::PathBuf>,
    /// The file the comment is about (path from the repository's root)
    #[arg(long, value_name = "PATH")]
    pub file: Option<String>,
    /// The line of that file (as it is at the revision)
    #[arg(long, value_name = "N", requires = "file")]
    pub line: Option<u64>,
    /// The revision the comment is about (default: the current one)
    #[arg(long, value_name = "N")]
    pub revision: Option<u64>,
    /// Answer a comment (or change request): its id or a unique prefix
    #[arg(long, value_name = "COMMENT")]
    pub reply: Option<String>,
    /// Mark the thread of a comment resolved instead of writing one
    #[arg(long, value_name = "COMMENT", conflicts_with_all = ["message", "message_file", "file", "line", "revision", "reply"])]
    pub resolve: Option<String>,
}

/// Run `comment`.
pub fn run(ui: &mut Ui, args: &CommentArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    if let Some(target) = &args.resolve {
        let (up, root, changed) = ops::resolve(&store, &args.id, target)?;
        if ui.json {
            return ui
                .json_pretty(&ResolvedJson {
                    changed,
                    format: JSON_FORMAT,
                    id: &up.id,
                    resolved: root.to_string(),
                })
                .map(|_| 0);
        }
        let short = ui.paint(Style::Id, &root.to_hex_with_len(10).to_string());
        ui.line(&if changed {
            format!("resolved the thread {short} on {}", up.id)
        } else {
            format!("the thread {short} on {} was resolved already", up.id)
        })?;
        return Ok(0);
    }
    let text = match (&args.message, &args.message_file) {
        (Some(m), _) => m.clone(),
        (None, Some(path)) => super::read_text(path, MAX_COMMENT_BYTES, "the comment")?,
        (None, None) => String::new(),
    };
    let req = CommentRequest {
        id: args.id.clone(),
        text,
        file: args.file.clone(),
        line: args.line,
        revision: args.revision,
        reply: args.reply.clone(),
    };
    let done = ops::comment(&store, &req)?;
    if ui.json {
        return ui
            .json_pretty(&CommentedJson {
                comment: NewCommentJson {
                    file: req.file.as_deref(),
                    id: done.comment.to_string(),
                    line: req.line,
                    reply_to: done.reply_to.map(|r| r.to_string()),
                    revision: done.revision,
                },
                format: JSON_FORMAT,
                id: &done.upgrade.id,
            })
            .map(|_| 0);
    }
    let place = match (&args.file, args.line) {
        (Some(f), Some(l)) => format!(", {}:{l}", escape::path(f)),
        (Some(f), None) => format!(", {}", escape::path(f)),
        _ => String::new(),
    };
    ui.line(&format!(
        "commented on {} (revision {}{place}): {}",
        done.upgrade.id,
        done.revision,
        ui.paint(Style::Id, &done.comment.to_hex_with_len(10).to_string())
    ))?;
    Ok(0)
}
