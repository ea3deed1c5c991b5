//! The pending count for prompts and status bars (`status --count`), fast
//! enough for every keystroke: a derived cache keyed by the file-system
//! state of the queue's refs, so a repeat read touches four `stat`s and one
//! small file instead of every ref.
//!
//! `<common-dir>/upgrades/badge`: one line, `<key> <pending> <awaiting>`,
//! where the key digests, for `packed-refs` and the loose-ref directories
//! `refs/notes/upgrades` and `refs/upgrades`, their device, inode, size and
//! modification time (nanoseconds), plus the identity asked about. Every ref
//! write git or gix makes renames a file in one of those directories or
//! rewrites `packed-refs`, which changes the key. In a reftable repository
//! every ref write replaces `reftable/tables.list` (a new file renamed over
//! the old), which is in the key too. A key whose newest time is
//! less than two seconds before it was computed is not kept (a write in the
//! same clock tick could otherwise hide), the way git treats a racy index.

use std::os::unix::fs::MetadataExt;

use super::cache::{self, Entry};
use super::Store;
use crate::error::Result;

/// Upgrades waiting for review, and those of them `me` may still approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Open upgrades (proposed or approved, not yet landed).
    pub pending: usize,
    /// Of those, proposed by someone else and not yet approved by `me` on
    /// their current head.
    pub awaiting_me: usize,
}

/// The file-system state that any change of the queue's refs changes, and
/// the newest modification time in it.
fn key(repo: &gix::Repository, me: &str) -> (String, i64) {
    let dir = repo.common_dir();
    let mut text = String::new();
    let mut newest = 0i64;
    for p in [
        "packed-refs",
        "refs/notes/upgrades",
        "refs/upgrades",
        "reftable/tables.list",
    ] {
        match std::fs::metadata(dir.join(p)) {
            Ok(m) => {
                let ns = m.mtime() * 1_000_000_000 + m.mtime_nsec();
                newest = newest.max(ns);
                text.push_str(&format!("{}.{}.{}.{ns};", m.dev(), m.ino(), m.size()));
            }
            Err(_) => text.push_str("-;"),
        }
    }
    text.push_str(me);
    // FNV-1a over the state: the file holds a digest, not paths.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    (format!("{h:016x}"), newest)
}

fn path(repo: &gix::Repository) -> std::path::PathBuf {
    crate::repo::private_dir(repo).join("badge")
}

/// The counts for `me` (an email), from the badge cache when the refs have
/// not changed since it was written, else from the listing cache.
pub fn counts(store: &Store<'_>, me: &str, render: cache::Renderer) -> Result<Counts> {
    let repo = store.repo;
    let me = me.trim().to_ascii_lowercase();
    let (k, newest) = key(repo, &me);
    if let Ok(text) = std::fs::read_to_string(path(repo)) {
        let parts: Vec<&str> = text.split_whitespace().collect();
        if let [key, pending, awaiting] = parts.as_slice() {
            if *key == k {
                if let (Ok(pending), Ok(awaiting_me)) = (pending.parse(), awaiting.parse()) {
                    return Ok(Counts {
                        pending,
                        awaiting_me,
                    });
                }
            }
        }
    }
    let mut c = Counts {
        pending: 0,
        awaiting_me: 0,
    };
    for Entry { data, .. } in cache::list(store, render)? {
        let Ok(listing) = data else { continue };
        if !listing.state.is_open() {
            continue;
        }
        c.pending += 1;
        let s = listing.summary()?;
        if crate::repo::email_of(&s.proposed_by) != me && !s.approved_by.contains(&me) {
            c.awaiting_me += 1;
        }
    }
    let now_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    // Written only when the key is not racy (see the module docs).
    if now_ns - newest > 2_000_000_000 {
        let _ = (|| -> std::io::Result<()> {
            let p = path(repo);
            let mut tmp = tempfile::NamedTempFile::new_in(p.parent().unwrap_or(p.as_path()))?;
            std::io::Write::write_all(
                &mut tmp,
                format!("{k} {} {}\n", c.pending, c.awaiting_me).as_bytes(),
            )?;
            tmp.persist(&p).map_err(|e| e.error)?;
            Ok(())
        })();
    }
    Ok(c)
}
