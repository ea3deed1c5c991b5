//! `<common-dir>/upgrades/proposals/<key>`: which upgrade holds a change,
//! keyed by what the change is (target, base and head tree), so that
//! proposing the same change twice is caught with one file read instead of a
//! scan of the queue (single-upgrade commands stay O(1) in the queue size).
//!
//! Derived and disposable, like the listing cache: an entry only names a
//! candidate, which the caller checks against the upgrade's refs and replayed
//! record before believing it; a stale or damaged entry is removed. Entries
//! are written by `propose`, `rebase` and `pull` (for upgrades adopted open),
//! so changes proposed in other clones are known once pulled.

use std::path::PathBuf;

use gix::ObjectId;

fn dir(repo: &gix::Repository) -> PathBuf {
    crate::repo::private_dir(repo).join("proposals")
}

/// The key of a change: a hash of its target, base and head tree.
pub fn key(repo: &gix::Repository, target: &str, base: ObjectId, tree: ObjectId) -> String {
    let text = format!("upgrade change\0{target}\0{base}\0{tree}\n");
    gix::objs::compute_hash(repo.object_hash(), gix::objs::Kind::Blob, text.as_bytes())
        .map(|id| id.to_string())
        .unwrap_or_default()
}

/// The key of the change an upgrade proposes (`head` read for its tree).
pub fn key_of(repo: &gix::Repository, target: &str, base: &str, head: &str) -> Option<String> {
    let base: ObjectId = base.parse().ok()?;
    let head: ObjectId = head.parse().ok()?;
    let tree = repo.find_commit(head).ok()?.tree_id().ok()?.detach();
    Some(key(repo, target, base, tree))
}

/// The upgrade id last recorded for `key`, if any (unchecked).
pub fn recall(repo: &gix::Repository, key: &str) -> Option<String> {
    if key.is_empty() {
        return None;
    }
    let text = std::fs::read_to_string(dir(repo).join(key)).ok()?;
    let id = text.trim();
    crate::ids::validate_id(id).ok()?;
    Some(id.to_string())
}

/// Record that upgrade `id` holds the change `key`. Best effort: without
/// the entry only the duplicate check is lost.
pub fn remember(repo: &gix::Repository, key: &str, id: &str) {
    if key.is_empty() {
        return;
    }
    let dir = dir(repo);
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        std::io::Write::write_all(&mut tmp, format!("{id}\n").as_bytes())?;
        tmp.persist(dir.join(key)).map_err(|e| e.error)?;
        Ok(())
    };
    let _ = write();
}

/// Drop a stale entry.
pub fn forget(repo: &gix::Repository, key: &str) {
    if !key.is_empty() {
        let _ = std::fs::remove_file(dir(repo).join(key));
    }
}

/// Keep only the entries whose upgrade `open` says is still open (`maintain`).
pub fn retain(repo: &gix::Repository, open: impl Fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir(repo)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let id = std::fs::read_to_string(&path).unwrap_or_default();
        if !open(id.trim()) {
            let _ = std::fs::remove_file(&path);
        }
    }
}
