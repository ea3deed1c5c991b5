//! What changed between two revisions of an upgrade, as a reviewer needs it.
//!
//! When both revisions have the same base, the answer is the tree diff
//! between their heads: an ordinary unified diff. When the bases differ (a
//! rebase happened in between), that diff would mix in everything the target
//! gained meanwhile; the two *changes* are compared instead, as `git
//! range-diff` does: per file, the unified diff of one revision's patch
//! against the other's, each line prefixed by an outer `-`, `+` or ` `.
//! Trees come through `conversation::Files`, so revisions whose commits were
//! pruned still compare (their trees are kept by the notes tree).

use std::fmt::Write as _;

use similar::{Algorithm, TextDiff};

use crate::conversation::Files;
use crate::diff::{self, PathChange};
use crate::error::{Error, Result};
use crate::record::{DiffStats, FileChange};
use crate::replay::History;

/// How two revisions were compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Same base: the tree diff between the heads.
    Tree,
    /// Different bases: the two patches compared, file by file.
    Patches,
}

impl Mode {
    /// The stable name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Tree => "tree",
            Mode::Patches => "patches",
        }
    }
}

/// The difference between two revisions.
#[derive(Debug, Clone)]
pub struct InterDiff {
    /// The older side's revision number (as asked).
    pub from: u64,
    /// The newer side's revision number.
    pub to: u64,
    /// How they were compared.
    pub mode: Mode,
    /// The files whose content (tree mode) or change (patches mode) differs,
    /// with the lines the text below adds and removes.
    pub files: Vec<FileChange>,
    /// Totals over `files`.
    pub stats: DiffStats,
    /// The text: a unified diff (tree mode) or a diff of patches.
    pub text: String,
}

/// `from..to`, both 1-based revision numbers of `h`, checked.
pub fn parse_range(h: &History, text: &str) -> Result<(u64, u64)> {
    let count = h.revisions.len() as u64;
    let number = |s: &str, default: u64| -> Result<u64> {
        if s.is_empty() {
            return Ok(default);
        }
        s.parse::<u64>().map_err(|_| {
            Error::usage(format!(
                "invalid revision range {:?}",
                crate::record::sanitize_line(text, 40)
            ))
            .hint("write it as <from>..<to>, e.g. 1..3 (or 2.. for up to the current one)")
        })
    };
    let (a, b) = match text.split_once("..") {
        Some((a, b)) => (number(a, 1)?, number(b, count)?),
        None => (number(text, 1)?, count),
    };
    check(h, a)?;
    check(h, b)?;
    if a == b {
        return Err(Error::usage(format!(
            "revisions {a} and {b} are the same: nothing to compare"
        )));
    }
    Ok((a, b))
}

/// Refuse a revision number `h` does not have.
pub fn check(h: &History, n: u64) -> Result<()> {
    let count = h.revisions.len() as u64;
    if n == 0 || n > count {
        return Err(Error::usage(format!(
            "upgrade {} has no revision {n} (it has {})",
            h.id,
            crate::text::plural(count, "revision")
        )));
    }
    Ok(())
}

/// Compare revision `from` with revision `to` of `h`.
pub fn interdiff(files: &mut Files<'_>, h: &History, from: u64, to: u64) -> Result<InterDiff> {
    let repo = files.repo();
    let (a, b) = (
        &h.revisions[from as usize - 1],
        &h.revisions[to as usize - 1],
    );
    let tree = |files: &mut Files<'_>, commit: &str| {
        files.tree(commit).ok_or_else(|| {
            Error::failure(format!(
                "upgrade {}: the tree of {} is not in this repository (fetch it with `git upgrades pull`)",
                h.id,
                crate::text::short_hash(commit)
            ))
        })
    };
    let (a_head, b_head) = (tree(files, &a.head)?, tree(files, &b.head)?);
    if a.base == b.base {
        let changes = diff::changed_paths(repo, a_head, b_head)?;
        let (list, stats) = diff::file_stats(repo, &changes)?;
        let mut text = String::new();
        diff::unified(repo, &changes, &mut text, None)?;
        return Ok(InterDiff {
            from,
            to,
            mode: Mode::Tree,
            files: list,
            stats,
            text,
        });
    }
    let (a_base, b_base) = (tree(files, &a.base)?, tree(files, &b.base)?);
    let old = diff::changed_paths(repo, a_base, a_head)?;
    let new = diff::changed_paths(repo, b_base, b_head)?;
    let mut paths: Vec<&Vec<u8>> = old.iter().chain(&new).map(|c| &c.raw_path).collect();
    paths.sort();
    paths.dedup();
    let mut text = String::new();
    let mut list = Vec::new();
    let mut stats = DiffStats::default();
    for raw in paths {
        let patch = |changes: &[PathChange]| -> Result<String> {
            let mut out = String::new();
            if let Some(c) = changes.iter().find(|c| &c.raw_path == raw) {
                diff::unified(repo, std::slice::from_ref(c), &mut out, None)?;
            }
            // The header names blob ids, which differ whenever the bases do.
            Ok(out
                .lines()
                .filter(|l| !l.starts_with("diff --git ") && !l.starts_with("index "))
                .flat_map(|l| [l, "\n"])
                .collect())
        };
        let (before, after) = (patch(&old)?, patch(&new)?);
        if before == after {
            continue;
        }
        let path = String::from_utf8_lossy(raw).into_owned();
        let shown = crate::text::escape::path_bytes(raw);
        let (added, removed) = outer_diff(&mut text, &before, &after, &shown, from, to);
        stats.files += 1;
        stats.added += added;
        stats.removed += removed;
        list.push(FileChange {
            path,
            status: "changed".into(),
            added,
            removed,
            binary: false,
        });
    }
    Ok(InterDiff {
        from,
        to,
        mode: Mode::Patches,
        files: list,
        stats,
        text,
    })
}

/// One file's diff of patches into `out`; the outer lines added and removed.
fn outer_diff(
    out: &mut String,
    before: &str,
    after: &str,
    path: &str,
    from: u64,
    to: u64,
) -> (u64, u64) {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Histogram)
        .timeout(std::time::Duration::from_secs(5))
        .diff_lines(before, after);
    let _ = writeln!(
        out,
        "interdiff {path}: its change in revision {from} against revision {to}"
    );
    let _ = writeln!(out, "--- revision {from}\n+++ revision {to}");
    let (mut added, mut removed) = (0, 0);
    let mut udiff = diff.unified_diff();
    udiff.context_radius(3);
    for hunk in udiff.iter_hunks() {
        let text = hunk.to_string();
        for line in text.lines().skip(1) {
            match line.as_bytes().first() {
                Some(b'+') => added += 1,
                Some(b'-') => removed += 1,
                _ => {}
            }
        }
        out.push_str(&text);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    (added, removed)
}
