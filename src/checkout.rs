//! Isolated checkouts of a candidate commit, for running its tests. They live
//! in a fresh temporary directory outside the repository (so tools that search
//! parent directories, like git or cargo, never find the user's project), and
//! are removed when dropped. Uses gix's parallel checkout.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::ObjectId;

use crate::error::{Context, Error, Result};

/// A checkout that is deleted when dropped (fresh), or a reused one that is
/// unlocked when dropped (cached).
pub struct Checkout {
    dir: Place,
    marker: Option<PathBuf>,
}

enum Place {
    Fresh(tempfile::TempDir),
    Cached { dir: PathBuf, _lock: std::fs::File },
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
        match &self.dir {
            Place::Fresh(t) => t.path(),
            Place::Cached { dir, .. } => dir,
        }
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
        checkout.path(),
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

/// A checkout of `commit` in a directory kept between runs, brought to the
/// exact tree of `commit` by `git read-tree -u --reset` (which rewrites only
/// files whose content or stat data differ) and `git clean -ffdx` (which
/// removes everything else the last run left). The result has the same
/// content as a fresh checkout at a fraction of the cost in big trees. It
/// lives outside the repository (tools that search parent directories must
/// not find the project) and is used by one run at a time; when another run
/// holds it, or anything fails, a fresh checkout is made instead.
pub fn checkout_reused(repo: &gix::Repository, commit: ObjectId) -> Result<Checkout> {
    match reuse(repo, commit) {
        Ok(Some(c)) => Ok(c),
        _ => checkout(repo, commit),
    }
}

fn reuse(repo: &gix::Repository, commit: ObjectId) -> Result<Option<Checkout>> {
    use std::hash::{Hash, Hasher};
    use std::os::fd::AsRawFd;
    let common = repo
        .common_dir()
        .canonicalize()
        .unwrap_or_else(|_| repo.common_dir().to_path_buf());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    common.hash(&mut h);
    let root = std::env::temp_dir().join(format!("git-upgrades-reuse-{:016x}", h.finish()));
    std::fs::create_dir_all(&root).context("cannot create the reusable checkout")?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(root.join("lock"))
        .context("cannot lock the reusable checkout")?;
    // SAFETY: flock on a descriptor we own; non-blocking.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Ok(None);
    }
    let dir = root.join("tree");
    std::fs::create_dir_all(&dir).context("cannot create the reusable checkout")?;
    let run = |args: &[&str]| -> Result<()> {
        let mut cmd = crate::repo::git(repo);
        cmd.arg("--work-tree")
            .arg(&dir)
            .args([
                "-c",
                "core.hooksPath=/dev/null",
                "-c",
                "core.fsmonitor=false",
            ])
            .args(args)
            .env("GIT_INDEX_FILE", root.join("index"))
            .current_dir(&dir);
        crate::repo::run_git(cmd, "update the reusable test checkout").map(|_| ())
    };
    run(&["read-tree", "-u", "--reset", &commit.to_string()])?;
    run(&["clean", "-ffdxq"])?;
    Ok(Some(Checkout {
        dir: Place::Cached { dir, _lock: lock },
        marker: None,
    }))
}
