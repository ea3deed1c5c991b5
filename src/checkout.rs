//! Isolated checkouts of a candidate commit, for running its tests. They live
//! in a fresh temporary directory outside the repository (so tools that search
//! parent directories, like git or cargo, never find the user's project), and
//! are removed when dropped. Uses gix's parallel checkout.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::ObjectId;

use crate::error::{Context, Error, Result};

/// A checkout that is deleted when dropped.
pub struct Checkout {
    dir: tempfile::TempDir,
    marker: Option<PathBuf>,
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
    repo.common_dir().join("upgrades").join("checkouts")
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
            if ours && path.is_dir() && std::fs::remove_dir_all(&path).is_ok() {
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
        self.dir.path()
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
    let checkout = Checkout { dir, marker };
    let tree = repo.find_commit(commit)?.tree_id()?.detach();
    let mut index = repo.index_from_tree(&tree)?;
    let mut opts =
        repo.checkout_options(gix::worktree::stack::state::attributes::Source::IdMapping)?;
    opts.destination_is_initially_empty = true;
    let objects = repo
        .objects
        .clone()
        .into_arc()
        .context("cannot share the object database with checkout threads")?;
    let interrupt = AtomicBool::new(false);
    let outcome = gix::worktree::state::checkout(
        &mut index,
        checkout.dir.path(),
        objects,
        &gix::progress::Discard,
        &gix::progress::Discard,
        &interrupt,
        opts,
    )?;
    if let Some(first) = outcome.errors.first() {
        return Err(Error::failure(format!(
            "cannot check out {} for testing: {} ({} errors)",
            first.path,
            first.error,
            outcome.errors.len()
        )));
    }
    Ok(checkout)
}
