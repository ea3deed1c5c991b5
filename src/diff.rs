//! What a proposal changes: the tree diff between its base and head, line
//! counts per file, and git-style unified diff text (Histogram algorithm,
//! which matches git's output closely). Binary files are named, not dumped.
//!
//! Blobs up to [`MAX_LINE_DIFF_BYTES`] are line-diffed in memory. A larger
//! text blob is never loaded whole: its lines are counted from a stream
//! (`git cat-file blob`, 64 KiB at a time) and the file counts as rewritten in
//! full (every old line removed, every new line added), so a huge text file
//! cannot slip under `max_diff_lines`. Its diff text reads `Binary files …
//! differ`, as git's own diff does above `core.bigFileThreshold`.
//! Paths in diff text are quoted as git quotes them ([`escape::path`]).

use std::fmt::Write as _;
use std::io::Read as _;
use std::time::Duration;

use gix::bstr::ByteSlice;
use gix::ObjectId;
use similar::{Algorithm, ChangeTag, TextDiff};

use crate::error::{Context as _, Error, Result};
use crate::record::{DiffStats, FileChange};
use crate::text::escape;

/// Blobs larger than this are not line-diffed; their lines are counted from a
/// stream and the file counts as rewritten in full.
pub const MAX_LINE_DIFF_BYTES: u64 = 8 << 20;
/// Like git, a blob with a NUL byte in its first 8000 bytes is binary.
const BINARY_SNIFF_BYTES: usize = 8000;
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
    /// The path's bytes as stored in the tree (what git quotes when printing).
    pub raw_path: Vec<u8>,
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
    // The plain tree diff: gix's convenience wrapper builds a blob resource
    // cache whose attributes, in a bare repository, come from HEAD, which it
    // cannot read in a reftable repository; no blob is compared here.
    let mut recorder = gix::diff::tree::Recorder::default();
    gix::diff::tree(
        gix::objs::TreeRefIter::from_bytes(&old.data, old.id.kind()),
        gix::objs::TreeRefIter::from_bytes(&new.data, new.id.kind()),
        &mut gix::diff::tree::State::default(),
        &repo.objects,
        &mut recorder,
    )
    .map_err(|e| Error::from_std("cannot compare the trees", &e))?;
    use gix::diff::tree::recorder::Change as C;
    let side = |mode: gix::objs::tree::EntryMode, id: ObjectId| Side {
        mode: u32::from(mode.value()),
        id,
    };
    let mut out = Vec::new();
    for change in recorder.records {
        let (path, old, new) = match change {
            C::Addition {
                path,
                entry_mode,
                oid,
                ..
            } => (path, None, Some((entry_mode, oid))),
            C::Deletion {
                path,
                entry_mode,
                oid,
                ..
            } => (path, Some((entry_mode, oid)), None),
            C::Modification {
                path,
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
            } => (
                path,
                Some((previous_entry_mode, previous_oid)),
                Some((entry_mode, oid)),
            ),
        };
        // Trees are not files: their contents come as changes of their own. A file
        // replaced by a directory thus reads as a deletion plus additions.
        let keep = |s: Option<(gix::objs::tree::EntryMode, ObjectId)>| {
            s.filter(|(m, _)| !m.is_tree()).map(|(m, id)| side(m, id))
        };
        out.push(PathChange {
            path: path.to_str_lossy().into_owned(),
            raw_path: path.to_vec(),
            old: keep(old),
            new: keep(new),
        });
    }
    out.retain(|c| c.old.is_some() || c.new.is_some());
    out.sort_by(|a, b| a.raw_path.cmp(&b.raw_path));
    Ok(out)
}

impl PathChange {
    /// The path as git prints it (quoted when it needs to be).
    pub fn quoted(&self) -> std::borrow::Cow<'_, str> {
        escape::path_bytes(&self.raw_path)
    }
}

/// Blob text of one side; an absent side is empty text. Large blobs are
/// sized from the object header and not read here.
fn side_text(repo: &gix::Repository, side: Option<Side>) -> Result<SideText> {
    let Some(side) = side else {
        return Ok(SideText::Text(String::new()));
    };
    if side.mode & 0o170000 == 0o160000 {
        return Ok(SideText::Binary);
    }
    if repo.find_header(side.id)?.size() > MAX_LINE_DIFF_BYTES {
        return Ok(SideText::Large(side.id));
    }
    let blob = repo.find_blob(side.id)?;
    let data = &blob.data;
    if data[..data.len().min(BINARY_SNIFF_BYTES)].contains(&0) {
        return Ok(SideText::Binary);
    }
    Ok(SideText::Text(String::from_utf8_lossy(data).into_owned()))
}

enum SideText {
    Text(String),
    Binary,
    /// Larger than [`MAX_LINE_DIFF_BYTES`]: text or binary, not yet known.
    Large(ObjectId),
}

/// Lines in `text` as a line diff counts them (a last line without `\n` counts).
fn line_count(text: &[u8]) -> u64 {
    let newlines = text.iter().filter(|&&b| b == b'\n').count() as u64;
    newlines + u64::from(text.last().is_some_and(|&b| b != b'\n'))
}

/// Count a large blob's lines from a stream, in bounded memory; None if it is
/// binary (a NUL in its first 8000 bytes).
fn stream_line_count(repo: &gix::Repository, id: ObjectId) -> Result<Option<u64>> {
    let mut cmd = crate::repo::git(repo);
    cmd.args(["cat-file", "blob"])
        .arg(id.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().context("cannot run git to read a large file")?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::failure("cannot read git's output"))?;
    let mut buf = vec![0u8; 64 << 10];
    let (mut total, mut lines, mut last) = (0usize, 0u64, b'\n');
    let mut binary = false;
    let mut failed = None;
    loop {
        let n = match stdout.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                failed = Some(e);
                break;
            }
        };
        let chunk = &buf[..n];
        if total < BINARY_SNIFF_BYTES && chunk[..n.min(BINARY_SNIFF_BYTES - total)].contains(&0) {
            binary = true;
            break;
        }
        total += n;
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        last = chunk[n - 1];
    }
    drop(stdout);
    if failed.is_some() {
        let _ = child.kill();
    }
    let status = child
        .wait()
        .context("cannot run git to read a large file")?;
    if let Some(e) = failed {
        return Err(Error::from_std("cannot read a large file from git", &e));
    }
    if binary {
        return Ok(None);
    }
    if !status.success() {
        return Err(Error::failure(format!("git could not read blob {id}")));
    }
    Ok(Some(lines + u64::from(last != b'\n')))
}

/// Lines of one side for the count of a file rewritten in full; None if binary.
fn side_lines(repo: &gix::Repository, side: &SideText) -> Result<Option<u64>> {
    match side {
        SideText::Text(t) => Ok(Some(line_count(t.as_bytes()))),
        SideText::Binary => Ok(None),
        SideText::Large(id) => stream_line_count(repo, *id),
    }
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
            (SideText::Binary, _) | (_, SideText::Binary) => (0, 0, true),
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
            // Too large to line-diff: counted as rewritten in full.
            (old, new) => match (side_lines(repo, &old)?, side_lines(repo, &new)?) {
                (Some(r), Some(a)) => (a, r, false),
                _ => (0, 0, true),
            },
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
        let a = escape::prefixed_path("a/", &c.raw_path);
        let b = escape::prefixed_path("b/", &c.raw_path);
        let _ = writeln!(out, "diff --git {a} {b}");
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
            a
        } else {
            "/dev/null".into()
        };
        let b = if c.new.is_some() {
            b
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

/// A file's content in a tree, as comments and inter-diffs need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileText {
    /// Text (lossily UTF-8).
    Text(String),
    /// Binary (a NUL in its first 8000 bytes, or a submodule).
    Binary,
    /// Over [`MAX_LINE_DIFF_BYTES`]: not read.
    Large,
    /// No file at that path (or a directory).
    Missing,
}

impl FileText {
    /// The text, if it is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            FileText::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// The file at `path` (slash-separated, from the root) in `tree`.
pub fn file_at(repo: &gix::Repository, tree: ObjectId, path: &str) -> Result<FileText> {
    let tree = repo.find_tree(tree)?;
    let Some(entry) = tree.lookup_entry_by_path(path)? else {
        return Ok(FileText::Missing);
    };
    let mode = entry.mode();
    if mode.is_tree() {
        return Ok(FileText::Missing);
    }
    let side = Side {
        mode: u32::from(mode.value()),
        id: entry.object_id(),
    };
    Ok(match side_text(repo, Some(side))? {
        SideText::Text(t) => FileText::Text(t),
        SideText::Binary => FileText::Binary,
        SideText::Large(_) => FileText::Large,
    })
}

/// The blob id of `path` in `tree`, if a file is there.
pub fn blob_at(repo: &gix::Repository, tree: ObjectId, path: &str) -> Result<Option<ObjectId>> {
    let tree = repo.find_tree(tree)?;
    Ok(tree
        .lookup_entry_by_path(path)?
        .filter(|e| !e.mode().is_tree())
        .map(|e| e.object_id()))
}

/// Lines of a text as a line diff counts them.
pub fn count_lines(text: &str) -> u64 {
    line_count(text.as_bytes())
}

/// For each line of `old` (0-based), where it is in `new` when it is
/// unchanged; None when the diff removes or rewrites it.
pub fn line_map(old: &str, new: &str) -> Vec<Option<usize>> {
    let diff = text_diff(old, new);
    let mut map = Vec::new();
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Equal => map.push(change.new_index()),
            ChangeTag::Delete => map.push(None),
            ChangeTag::Insert => {}
        }
    }
    map
}

/// For each line of `new` (0-based), whether the diff from `old` adds it.
pub fn added_lines(old: &str, new: &str) -> Vec<bool> {
    let diff = text_diff(old, new);
    diff.iter_all_changes()
        .filter(|c| c.tag() != ChangeTag::Delete)
        .map(|c| c.tag() == ChangeTag::Insert)
        .collect()
}
