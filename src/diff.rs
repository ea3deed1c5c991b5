//! What a proposal changes: the tree diff between its base and head, line
//! counts per file, and git-style unified diff text (Histogram algorithm,
//! which matches git's output closely). Binary files are named, not dumped.

use std::fmt::Write as _;
use std::time::Duration;

use gix::bstr::ByteSlice;
use gix::ObjectId;
use similar::{Algorithm, ChangeTag, TextDiff};

use crate::error::Result;
use crate::record::{DiffStats, FileChange};

/// Blobs larger than this are treated as binary (not line-diffed).
const MAX_TEXT_BYTES: usize = 64 << 20;
/// A line diff gives up on finding the minimal script after this long.
const DIFF_DEADLINE: Duration = Duration::from_secs(5);

/// One side of a changed path.
#[derive(Debug, Clone, Copy)]
pub struct Side {
    /// Git file mode (e.g. 0o100644).
    pub mode: u32,
    /// Blob (or submodule commit) id.
    pub id: ObjectId,
}

/// A changed path with both sides.
#[derive(Debug, Clone)]
pub struct PathChange {
    /// Path, lossily UTF-8.
    pub path: String,
    /// Before, if it existed.
    pub old: Option<Side>,
    /// After, if it exists.
    pub new: Option<Side>,
}

impl PathChange {
    fn status(&self) -> &'static str {
        match (&self.old, &self.new) {
            (None, _) => "added",
            (_, None) => "deleted",
            (Some(o), Some(n)) if (o.mode & 0o170000) != (n.mode & 0o170000) => "type-changed",
            _ => "modified",
        }
    }
}

/// The changed paths between two trees (no rename detection), sorted by path.
pub fn changed_paths(
    repo: &gix::Repository,
    old_tree: ObjectId,
    new_tree: ObjectId,
) -> Result<Vec<PathChange>> {
    let old = repo.find_tree(old_tree)?;
    let new = repo.find_tree(new_tree)?;
    let changes = repo.diff_tree_to_tree(&old, &new, gix::diff::Options::default())?;
    use gix::object::tree::diff::ChangeDetached as C;
    let side = |mode: gix::objs::tree::EntryMode, id: ObjectId| Side {
        mode: u32::from(mode.value()),
        id,
    };
    let mut out = Vec::new();
    for change in changes {
        let (path, old, new) = match change {
            C::Addition {
                location,
                entry_mode,
                id,
                ..
            } => (location, None, Some((entry_mode, id))),
            C::Deletion {
                location,
                entry_mode,
                id,
                ..
            } => (location, Some((entry_mode, id)), None),
            C::Modification {
                location,
                previous_entry_mode,
                previous_id,
                entry_mode,
                id,
            } => (
                location,
                Some((previous_entry_mode, previous_id)),
                Some((entry_mode, id)),
            ),
            C::Rewrite {
                location,
                entry_mode,
                id,
                source_entry_mode,
                source_id,
                ..
            } => (
                location,
                Some((source_entry_mode, source_id)),
                Some((entry_mode, id)),
            ),
        };
        // Trees are not files: their contents come as changes of their own. A file
        // replaced by a directory thus reads as a deletion plus additions.
        let keep = |s: Option<(gix::objs::tree::EntryMode, ObjectId)>| {
            s.filter(|(m, _)| !m.is_tree()).map(|(m, id)| side(m, id))
        };
        out.push(PathChange {
            path: path.to_str_lossy().into_owned(),
            old: keep(old),
            new: keep(new),
        });
    }
    out.retain(|c| c.old.is_some() || c.new.is_some());
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Blob text of one side: None for binary, submodule or missing content.
fn side_text(repo: &gix::Repository, side: Option<Side>) -> Result<SideText> {
    let Some(side) = side else {
        return Ok(SideText::Text(String::new()));
    };
    if side.mode & 0o170000 == 0o160000 {
        return Ok(SideText::Binary);
    }
    let blob = repo.find_blob(side.id)?;
    let data = &blob.data;
    if data.len() > MAX_TEXT_BYTES || data[..data.len().min(8000)].contains(&0) {
        return Ok(SideText::Binary);
    }
    Ok(SideText::Text(String::from_utf8_lossy(data).into_owned()))
}

enum SideText {
    Text(String),
    Binary,
}

fn text_diff<'a>(old: &'a str, new: &'a str) -> TextDiff<'a, 'a, str> {
    TextDiff::configure()
        .algorithm(Algorithm::Histogram)
        .timeout(DIFF_DEADLINE)
        .diff_lines(old, new)
}

/// Line counts per file and in total.
pub fn file_stats(
    repo: &gix::Repository,
    changes: &[PathChange],
) -> Result<(Vec<FileChange>, DiffStats)> {
    let mut files = Vec::with_capacity(changes.len());
    let mut total = DiffStats::default();
    for c in changes {
        let (added, removed, binary) = match (side_text(repo, c.old)?, side_text(repo, c.new)?) {
            (SideText::Text(o), SideText::Text(n)) => {
                let diff = text_diff(&o, &n);
                let (mut a, mut r) = (0, 0);
                for op in diff.ops() {
                    for change in diff.iter_changes(op) {
                        match change.tag() {
                            ChangeTag::Insert => a += 1,
                            ChangeTag::Delete => r += 1,
                            ChangeTag::Equal => {}
                        }
                    }
                }
                (a, r, false)
            }
            _ => (0, 0, true),
        };
        total.files += 1;
        total.added += added;
        total.removed += removed;
        files.push(FileChange {
            path: c.path.clone(),
            status: c.status().into(),
            added,
            removed,
            binary,
        });
    }
    Ok((files, total))
}

fn short(id: &ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}

/// Write git-style unified diff text for `changes` into `out`.
/// Stops after about `max_lines` lines when given; returns true if it stopped early.
pub fn unified(
    repo: &gix::Repository,
    changes: &[PathChange],
    out: &mut String,
    max_lines: Option<usize>,
) -> Result<bool> {
    let null = ObjectId::null(repo.object_hash());
    let mut lines = 0usize;
    for c in changes {
        if max_lines.is_some_and(|m| lines >= m) {
            return Ok(true);
        }
        let start = out.len();
        let p = &c.path;
        let _ = writeln!(out, "diff --git a/{p} b/{p}");
        match (c.old, c.new) {
            (None, Some(n)) => {
                let _ = writeln!(out, "new file mode {:o}", n.mode);
                let _ = writeln!(out, "index {}..{}", short(&null), short(&n.id));
            }
            (Some(o), None) => {
                let _ = writeln!(out, "deleted file mode {:o}", o.mode);
                let _ = writeln!(out, "index {}..{}", short(&o.id), short(&null));
            }
            (Some(o), Some(n)) if o.mode != n.mode => {
                let _ = writeln!(out, "old mode {:o}\nnew mode {:o}", o.mode, n.mode);
                let _ = writeln!(out, "index {}..{}", short(&o.id), short(&n.id));
            }
            (Some(o), Some(n)) => {
                let _ = writeln!(out, "index {}..{} {:o}", short(&o.id), short(&n.id), n.mode);
            }
            (None, None) => {}
        }
        let a = if c.old.is_some() {
            format!("a/{p}")
        } else {
            "/dev/null".into()
        };
        let b = if c.new.is_some() {
            format!("b/{p}")
        } else {
            "/dev/null".into()
        };
        match (side_text(repo, c.old)?, side_text(repo, c.new)?) {
            (SideText::Text(o), SideText::Text(n)) => {
                if o != n {
                    write_hunks(out, &o, &n, &a, &b);
                }
            }
            _ => {
                let _ = writeln!(out, "Binary files {a} and {b} differ");
            }
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        lines += out[start..].lines().count();
    }
    Ok(false)
}

/// Unified hunks with git's default function-name context after `@@ … @@`.
fn write_hunks(out: &mut String, old: &str, new: &str, a: &str, b: &str) {
    let diff = text_diff(old, new);
    let old_lines: Vec<&str> = old.lines().collect();
    let mut udiff = diff.unified_diff();
    udiff.context_radius(3);
    let _ = writeln!(out, "--- {a}\n+++ {b}");
    for hunk in udiff.iter_hunks() {
        let text = hunk.to_string();
        let (header, body) = text.split_once('\n').unwrap_or((&text, ""));
        let start = hunk.ops().first().map_or(0, |op| op.old_range().start);
        let func = old_lines[..start.min(old_lines.len())]
            .iter()
            .rev()
            .find(|l| l.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$'))
            .map(|l| {
                let cut: String = l.chars().take(80).collect();
                cut.trim_end().to_string()
            });
        match func {
            Some(f) => {
                let _ = writeln!(out, "{header} {f}");
            }
            None => {
                let _ = writeln!(out, "{header}");
            }
        }
        out.push_str(body);
    }
}

/// The first `max_lines` lines of the unified diff, for the record's preview.
pub fn preview(repo: &gix::Repository, changes: &[PathChange], max_lines: usize) -> Result<String> {
    let mut text = String::new();
    let stopped = unified(repo, changes, &mut text, Some(max_lines))?;
    let mut kept: String = text
        .lines()
        .take(max_lines)
        .flat_map(|l| [l, "\n"])
        .collect();
    if stopped || text.lines().count() > max_lines {
        kept.push_str("[…]\n");
    }
    Ok(kept)
}
