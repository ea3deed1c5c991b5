//! The repository's reused test checkout: where it lives, who may use it,
//! what a run may keep from the last one, and how it is bounded.
//!
//! It lives in the user's cache directory (`$XDG_CACHE_HOME/git-upgrades/`,
//! default `~/.cache/git-upgrades/`), never in a shared temporary directory
//! and never inside the project: git, cargo, npm and pytest all search the
//! parent directories of where they run, and under the project's `.git` they
//! would find the user's working tree (its `node_modules`, its
//! `.cargo/config.toml`, its repository) and test something else than the
//! commit. Each checkout has a sidecar naming the repository it belongs to,
//! so the checkouts of repositories that were deleted are swept away.
//!
//! Warm runs: files the commit's ignore rules ignore (build outputs such as
//! `target/`, `node_modules/`, virtualenvs) are kept between runs, but only
//! when every commit whose code ran there since they were last wiped is the
//! commit about to run or is already in the target's history (approved and
//! landed, or the project's own). So the output of an unreviewed proposal is
//! never reused for another commit. Everything tracked is still proven equal
//! to the commit's tree before every run ([`super::sync`]).

use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::sync::sync;
use super::{checkout, remove_all, Checkout, Place};
use crate::error::{Context, Error, Result};

/// The name prefix of reused checkouts.
const REUSE_PREFIX: &str = "git-upgrades-reuse-";

/// What a reused run may keep from earlier runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Ignored files written by trusted runs (`[test] checkout = "warm"`).
    Ignored,
    /// Nothing but the commit's tree (`[test] checkout = "clean"`).
    Nothing,
}

/// The file naming the repository's reused checkout:
/// `<common-dir>/upgrades/test-checkout` (one line, the directory's path).
/// Deleting it (and the directory it names) is always safe.
pub fn reuse_record(repo: &gix::Repository) -> PathBuf {
    crate::repo::private_dir(repo).join("test-checkout")
}

/// The commits whose code ran in the reused checkout since its ignored
/// files were last wiped: `<common-dir>/upgrades/test-checkout.ran`.
fn ran_record(repo: &gix::Repository) -> PathBuf {
    crate::repo::private_dir(repo).join("test-checkout.ran")
}

/// Where reused checkouts live: the user's cache directory, made private
/// (0700) if we create it; a directory that is not ours (or no home at all)
/// falls back to the temporary directory.
pub(super) fn base_dir() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|h| h.join(".cache"))
        });
    if let Some(base) = cache.map(|c| c.join("git-upgrades")) {
        if std::fs::create_dir_all(&base).is_ok() {
            let _ = std::fs::set_permissions(
                &base,
                std::os::unix::fs::PermissionsExt::from_mode(0o700),
            );
            if owned_private_dir(&base) {
                return base;
            }
        }
    }
    std::env::temp_dir()
}

/// A directory (not a link) owned by us that nobody else can enter.
fn owned_private_dir(path: &Path) -> bool {
    let Ok(dir) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
    else {
        return false;
    };
    // SAFETY: geteuid cannot fail.
    dir.metadata()
        .is_ok_and(|m| m.is_dir() && m.uid() == unsafe { libc::geteuid() } && m.mode() & 0o077 == 0)
}

/// A checkout of `commit` in a directory kept between runs, so that only
/// files that differ are written (and, with [`Keep::Ignored`], build outputs
/// survive). Before it is returned, what it holds is proven equal to the
/// commit's tree ([`sync`]): every tracked file hashed and compared with its
/// blob (and its type, mode and link count checked), everything else removed
/// without following links unless kept as described in the module docs,
/// missing or differing entries written fresh from the object database.
///
/// `trusted` says whether a commit that ran earlier is in the target's
/// history. The directory is private: made like `mkdtemp` in the base directory
/// (a random name, mode 0700), its path kept in [`reuse_record`], and checked
/// every time before use (not a link, owned by us, mode 0700, named as we
/// name it, directly in the base directory). One that fails the check is
/// left alone, never entered or deleted, and a new one is made. One run uses
/// it at a time (a lock in the repository's private directory); when another
/// run holds it, or anything fails, a fresh checkout is made instead.
pub fn checkout_reused(
    repo: &gix::Repository,
    commit: ObjectId,
    keep: Keep,
    trusted: &dyn Fn(ObjectId) -> bool,
) -> Result<Checkout> {
    match reuse(repo, commit, keep, trusted) {
        Ok(Some(c)) => Ok(c),
        _ => checkout(repo, commit),
    }
}

/// The path in the record, if any.
pub(super) fn recorded(record: &Path) -> Option<PathBuf> {
    let mut bytes = std::fs::read(record).ok()?;
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    Some(PathBuf::from(
        <std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(bytes),
    ))
}

/// The lock of the reused checkout, `<common-dir>/upgrades/test-checkout.lock`,
/// if no other run holds it.
fn lock_reused(repo: &gix::Repository) -> Result<Option<File>> {
    let private = crate::repo::private_dir(repo);
    std::fs::create_dir_all(&private).context("cannot create the tool's private directory")?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(private.join("test-checkout.lock"))
        .context("cannot lock the reusable checkout")?;
    match lock.try_lock() {
        Ok(()) => Ok(Some(lock)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e).context("cannot lock the reusable checkout"),
    }
}

/// Remove the repository's reused checkout, if it passes the checks of
/// [`checkout_reused`] and no run is using it, and forget it; returns the
/// directory removed. A directory that fails the checks is only forgotten.
pub fn remove_reused(repo: &gix::Repository) -> Result<Option<PathBuf>> {
    let Some(_lock) = lock_reused(repo)? else {
        return Err(Error::failure("the test checkout is in use by another run"));
    };
    let record = reuse_record(repo);
    let removed = match recorded(&record).filter(|p| reusable(p)) {
        Some(dir) => {
            remove_all(&dir)
                .with_context(|| format!("cannot remove the test checkout {}", dir.display()))?;
            let _ = std::fs::remove_file(sidecar(&dir));
            Some(dir)
        }
        None => None,
    };
    let _ = std::fs::remove_file(ran_record(repo));
    match std::fs::remove_file(&record) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).context("cannot remove the test checkout's record")
        }
        _ => Ok(removed),
    }
}

/// The file beside a reused checkout naming the repository (its common
/// directory) that owns it.
fn sidecar(dir: &Path) -> PathBuf {
    let mut name = dir.as_os_str().to_owned();
    name.push(".repo");
    PathBuf::from(name)
}

/// Write `bytes` to `path` through a new file renamed over it (no link followed).
fn replace_file(dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dir).context("cannot write a record")?;
    std::io::Write::write_all(&mut tmp, bytes).context("cannot write a record")?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn reuse(
    repo: &gix::Repository,
    commit: ObjectId,
    keep: Keep,
    trusted: &dyn Fn(ObjectId) -> bool,
) -> Result<Option<Checkout>> {
    let Some(lock) = lock_reused(repo)? else {
        return Ok(None);
    };
    let private = crate::repo::private_dir(repo);
    let record = reuse_record(repo);
    let previous = recorded(&record);
    // A checkout made by an older version in the temporary directory: ours, so removed.
    if let Some(old) = previous
        .as_ref()
        .filter(|p| private_root(p, REUSE_PREFIX, &std::env::temp_dir()) && !reusable(p))
    {
        let _ = remove_all(old);
    }
    let root = match previous.filter(|p| reusable(p)) {
        Some(p) => p,
        None => {
            let base = base_dir();
            let dir = tempfile::Builder::new()
                .prefix(REUSE_PREFIX)
                .tempdir_in(&base)
                .context("cannot create the reusable checkout")?
                .keep();
            std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
                .context("cannot create the reusable checkout")?;
            let owner = std::fs::canonicalize(repo.common_dir())
                .unwrap_or_else(|_| repo.common_dir().to_path_buf());
            replace_file(&base, &sidecar(&dir), owner.as_os_str().as_bytes())?;
            let mut line = dir.as_os_str().as_bytes().to_vec();
            line.push(b'\n');
            replace_file(&private, &record, &line)?;
            let _ = std::fs::remove_file(ran_record(repo));
            dir
        }
    };
    // Which earlier runs' ignored files may stay: recorded before this run
    // starts, so a run that is killed still counts.
    let ran = read_ran(repo);
    let keep_ignored = keep == Keep::Ignored && ran.iter().all(|c| *c == commit || trusted(*c));
    let mut now: Vec<ObjectId> = if keep_ignored {
        ran.into_iter()
            .filter(|c| *c == commit || !trusted(*c))
            .collect()
    } else {
        Vec::new()
    };
    if !now.contains(&commit) {
        now.push(commit);
    }
    let text: String = now.iter().map(|c| format!("{c}\n")).collect();
    replace_file(&private, &ran_record(repo), text.as_bytes())?;
    match sync(repo, commit, &root, keep_ignored) {
        Ok(_) => Ok(Some(Checkout {
            dir: Place::Reused {
                dir: root,
                _lock: lock,
            },
            marker: None,
        })),
        Err(e) => {
            // The directory was verified to be ours: start again next time.
            let _ = std::fs::remove_file(&record);
            let _ = std::fs::remove_file(sidecar(&root));
            let _ = remove_all(&root);
            Err(e)
        }
    }
}

/// The commits recorded in [`ran_record`]; an unreadable record is read as
/// an untrusted commit, so nothing is kept.
fn read_ran(repo: &gix::Repository) -> Vec<ObjectId> {
    match std::fs::read_to_string(ran_record(repo)) {
        Ok(text) => text
            .lines()
            .map(|l| {
                l.parse()
                    .unwrap_or_else(|_| ObjectId::null(repo.object_hash()))
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(_) => vec![ObjectId::null(repo.object_hash())],
    }
}

/// True for a directory we made with `prefix` directly in `parent` and that
/// nobody else can enter: not a link, owned by our effective uid, mode 0700.
/// Checked on an open descriptor (no link followed at the last component).
pub(super) fn private_root(path: &Path, prefix: &str, parent: &Path) -> bool {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.len() > prefix.len() && n.starts_with(prefix));
    if !named || !path.is_absolute() || path.parent() != Some(parent) {
        return false;
    }
    let Ok(dir) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
    else {
        return false;
    };
    let Ok(meta) = dir.metadata() else {
        return false;
    };
    // SAFETY: geteuid cannot fail.
    meta.is_dir() && meta.uid() == unsafe { libc::geteuid() } && meta.mode() & 0o7777 == 0o700
}

pub(super) fn reusable(path: &Path) -> bool {
    private_root(path, REUSE_PREFIX, &base_dir())
}

/// Remove the reused checkouts in the base directory whose repository is gone
/// (its common directory no longer names them); returns what was removed.
/// Only checkouts older than an hour are considered, so one being made
/// right now (sidecar before record) is never taken for an orphan.
pub fn sweep_orphans() -> Vec<PathBuf> {
    let base = base_dir();
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(&base) else {
        return removed;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let dir = entry.path();
        if !private_root(&dir, REUSE_PREFIX, &base) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if !old {
            continue;
        }
        let owner = std::fs::read(sidecar(&dir)).ok().map(|b| {
            PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(b))
        });
        let claimed = owner.is_some_and(|common| {
            recorded(&common.join("upgrades/test-checkout")).as_deref() == Some(dir.as_path())
        });
        if !claimed && remove_all(&dir).is_ok() {
            let _ = std::fs::remove_file(sidecar(&dir));
            removed.push(dir);
        }
    }
    removed
}

/// The bytes the reused checkout takes on disk (files and links, not
/// following links), or 0 when there is none.
pub fn reused_size(repo: &gix::Repository) -> u64 {
    fn walk(path: &Path) -> u64 {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return 0;
        };
        if !meta.is_dir() {
            return meta.blocks() * 512;
        }
        std::fs::read_dir(path)
            .map(|rd| rd.flatten().map(|e| walk(&e.path())).sum())
            .unwrap_or(0)
    }
    recorded(&reuse_record(repo))
        .filter(|p| reusable(p))
        .map(|p| walk(&p))
        .unwrap_or(0)
}
