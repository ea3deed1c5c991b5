//! Isolated checkouts of a candidate commit, for running its tests.
//!
//! Both kinds live outside the repository, so tools that search parent
//! directories (git, cargo, npm, pytest) never find the user's project:
//! - a fresh checkout: a new private directory in `$TMPDIR`, removed when dropped;
//! - the reused checkout (the default): one private directory per repository
//!   in the user's cache directory, kept between runs and brought to the
//!   commit's exact tree before every run by [`checkout_reused`] (see
//!   `reuse.rs` for what a warm run keeps).
//!
//! The code under test runs with the user's rights and can change anything in
//! its checkout, including anything a cache of the checkout's state would keep.
//! So nothing left in or next to the reused checkout is trusted: there is no
//! index (the entries come from the commit's tree in the object database, each
//! run), every file is hashed and compared with its blob, and every other
//! entry is removed without following links — except, in a warm run, the
//! files the commit ignores when only trusted code wrote them.

use std::fs::File;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::ObjectId;

use crate::error::{Context, Error, Result};

mod reuse;
mod sync;
#[cfg(test)]
mod tests;

use reuse::private_root;
pub use reuse::{checkout_reused, remove_reused, reuse_record, reused_size, sweep_orphans, Keep};
pub use sync::{sync, SyncStats};

/// A checkout that is deleted when dropped (fresh), or a reused one that is
/// unlocked when dropped.
pub struct Checkout {
    dir: Place,
    marker: Option<PathBuf>,
}

enum Place {
    Fresh(tempfile::TempDir),
    Reused { dir: PathBuf, _lock: File },
}

impl Drop for Checkout {
    fn drop(&mut self) {
        if let Some(m) = &self.marker {
            let _ = std::fs::remove_file(m);
        }
    }
}

/// Where markers of checkouts in use live: `<common-dir>/upgrades/checkouts/<pid>-<n>`,
/// each holding the checkout's path, so one left by a killed process can be found.
fn markers_dir(repo: &gix::Repository) -> PathBuf {
    crate::repo::private_dir(repo).join("checkouts")
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Remove checkouts left by processes that were killed; returns what was removed.
pub fn clean_stale(repo: &gix::Repository) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(markers_dir(repo)) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if alive(pid) {
            continue;
        }
        if let Ok(path) = std::fs::read_to_string(entry.path()) {
            let path = PathBuf::from(path.trim());
            let ours = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("git-upgrades-checkout-"));
            if ours
                && private_root(&path, "git-upgrades-checkout-", &std::env::temp_dir())
                && remove_all(&path).is_ok()
            {
                removed.push(path);
            }
        }
        let _ = std::fs::remove_file(entry.path());
    }
    removed
}

impl Checkout {
    /// The checkout's root directory.
    pub fn path(&self) -> &Path {
        match &self.dir {
            Place::Fresh(t) => t.path(),
            Place::Reused { dir, .. } => dir,
        }
    }

    /// True when this is the reused checkout.
    pub fn is_reused(&self) -> bool {
        matches!(self.dir, Place::Reused { .. })
    }
}

/// Check out the tree of `commit` into a new temporary directory.
pub fn checkout(repo: &gix::Repository, commit: ObjectId) -> Result<Checkout> {
    let dir = tempfile::Builder::new()
        .prefix("git-upgrades-checkout-")
        .tempdir()
        .context("cannot create a temporary directory for the test checkout")?;
    // Recorded before anything is written into it, so a process killed in the
    // middle of the checkout or the tests leaves a marker to clean up after it.
    let markers = markers_dir(repo);
    let marker = std::fs::create_dir_all(&markers).ok().and_then(|_| {
        let path = markers.join(format!(
            "{}-{}",
            std::process::id(),
            dir.path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        std::fs::write(&path, dir.path().display().to_string())
            .ok()
            .map(|_| path)
    });
    let checkout = Checkout {
        dir: Place::Fresh(dir),
        marker,
    };
    let tree = repo.find_commit(commit)?.tree_id()?.detach();
    let mut index = repo.index_from_tree(&tree)?;
    write_entries(repo, &mut index, checkout.path())?;
    Ok(checkout)
}

/// Write every entry of `index` not marked skip-worktree into `dir` with
/// gix's parallel checkout (filters and attributes as git applies them),
/// creating files exclusively: a path that exists is an error.
pub(super) fn write_entries(
    repo: &gix::Repository,
    index: &mut gix::index::State,
    dir: &Path,
) -> Result<()> {
    let mut opts =
        repo.checkout_options(gix::worktree::stack::state::attributes::Source::IdMapping)?;
    opts.destination_is_initially_empty = true;
    opts.overwrite_existing = false;
    let objects = repo
        .objects
        .clone()
        .into_arc()
        .context("cannot share the object database with checkout threads")?;
    let interrupt = AtomicBool::new(false);
    let outcome = gix::worktree::state::checkout(
        index,
        dir,
        objects,
        &gix::progress::Discard,
        &gix::progress::Discard,
        &interrupt,
        opts,
    )?;
    if let Some(first) = outcome.errors.first() {
        return Err(Error::failure(format!(
            "cannot check out {} for testing: {} ({})",
            first.path,
            first.error,
            crate::text::plural(outcome.errors.len(), "error")
        )));
    }
    if let Some(first) = outcome.collisions.first() {
        return Err(Error::failure(format!(
            "cannot check out {} for testing: the path already exists ({:?})",
            first.path, first.error_kind
        )));
    }
    Ok(())
}

/// Remove `path` and, for a directory, everything in it; a link is removed
/// itself, never followed. Directories we cannot enter are first made
/// accessible (they are ours: the checkout is private).
pub(super) fn remove_all(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        if meta.mode() & 0o700 != 0o700 {
            chmod_dir(path, 0o700)?;
        }
        for entry in std::fs::read_dir(path)? {
            remove_all(&entry?.path())?;
        }
        std::fs::remove_dir(path)
    } else {
        std::fs::remove_file(path)
    }
}

/// Change the mode of the directory at `path` without following a link
/// there: open it as a path only (`O_PATH | O_NOFOLLOW | O_DIRECTORY`, which
/// needs no permission on it) and change the mode of that very inode.
pub(super) fn chmod_dir(path: &Path, mode: u32) -> std::io::Result<()> {
    let dir = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_NOFOLLOW | libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(path)?;
    use std::os::fd::AsRawFd;
    let proc_path = format!("/proc/self/fd/{}\0", dir.as_raw_fd());
    // SAFETY: a NUL-terminated path; chmod of /proc/self/fd/N acts on the
    // inode the descriptor holds (the link is the kernel's, not the file system's).
    if unsafe { libc::chmod(proc_path.as_ptr().cast(), mode as libc::mode_t) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// The process's umask (from `/proc/self/status`, which reads it without
/// changing it), or the common 022.
pub(super) fn process_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}
