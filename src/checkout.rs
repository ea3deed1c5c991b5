//! Isolated checkouts of a candidate commit, for running its tests.
//!
//! Both kinds live in the temporary directory (`$TMPDIR`), outside the
//! repository, so tools that search parent directories (git, cargo) never find
//! the user's project:
//! - a fresh checkout: a new private directory, removed when dropped;
//! - the reused checkout (the default): one private directory per repository,
//!   kept between runs and brought to the commit's exact tree before every run
//!   by [`checkout_reused`].
//!
//! The code under test runs with the user's rights and can change anything in
//! its checkout, including anything a cache of the checkout's state would keep.
//! So nothing left in or next to the reused checkout is trusted: there is no
//! index (the entries come from the commit's tree in the object database, each
//! run), every file is hashed and compared with its blob, and every other
//! entry is removed without following links.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::bstr::{BStr, BString, ByteSlice, ByteVec};
use gix::ObjectId;

use crate::error::{Context, Error, Result};

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
            if ours && private_root(&path, "git-upgrades-checkout-") && remove_all(&path).is_ok() {
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
fn write_entries(repo: &gix::Repository, index: &mut gix::index::State, dir: &Path) -> Result<()> {
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

/// The name prefix of reused checkouts, in the temporary directory.
const REUSE_PREFIX: &str = "git-upgrades-reuse-";

/// The file naming the repository's reused checkout:
/// `<common-dir>/upgrades/test-checkout` (one line, the directory's path).
/// Deleting it (and the directory it names) is always safe.
pub fn reuse_record(repo: &gix::Repository) -> PathBuf {
    crate::repo::private_dir(repo).join("test-checkout")
}

/// A checkout of `commit` in a directory kept between runs, so that only
/// files that differ are written. Before it is returned, what it holds is
/// proven equal to the commit's tree ([`sync`]): every tracked file hashed
/// and compared with its blob (and its type, mode and link count checked),
/// everything else removed without following links, missing or differing
/// entries written fresh from the object database.
///
/// The directory is private: made like `mkdtemp` in `$TMPDIR` (a random name,
/// mode 0700), its path kept in [`reuse_record`], and checked every time
/// before use (not a link, owned by us, mode 0700, named as we name it,
/// directly in the temporary directory). One that fails the check is left
/// alone, never entered or deleted, and a new one is made. One run uses it at
/// a time (a lock in the repository's private directory); when another run
/// holds it, or anything fails, a fresh checkout is made instead.
pub fn checkout_reused(repo: &gix::Repository, commit: ObjectId) -> Result<Checkout> {
    match reuse(repo, commit) {
        Ok(Some(c)) => Ok(c),
        _ => checkout(repo, commit),
    }
}

/// The path in the record, if any.
fn recorded(record: &Path) -> Option<PathBuf> {
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
    use std::os::fd::AsRawFd;
    let private = crate::repo::private_dir(repo);
    std::fs::create_dir_all(&private).context("cannot create the tool's private directory")?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(private.join("test-checkout.lock"))
        .context("cannot lock the reusable checkout")?;
    // SAFETY: flock on a descriptor we own; non-blocking.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Ok(None);
    }
    Ok(Some(lock))
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
            Some(dir)
        }
        None => None,
    };
    match std::fs::remove_file(&record) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).context("cannot remove the test checkout's record")
        }
        _ => Ok(removed),
    }
}

fn reuse(repo: &gix::Repository, commit: ObjectId) -> Result<Option<Checkout>> {
    let Some(lock) = lock_reused(repo)? else {
        return Ok(None);
    };
    let private = crate::repo::private_dir(repo);
    let record = reuse_record(repo);
    let root = match recorded(&record).filter(|p| reusable(p)) {
        Some(p) => p,
        None => {
            let dir = tempfile::Builder::new()
                .prefix(REUSE_PREFIX)
                .tempdir_in(std::env::temp_dir())
                .context("cannot create the reusable checkout")?
                .keep();
            std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
                .context("cannot create the reusable checkout")?;
            let mut line = dir.as_os_str().as_bytes().to_vec();
            line.push(b'\n');
            // A new file (O_EXCL), renamed over the record: no link followed.
            let mut tmp = tempfile::NamedTempFile::new_in(&private)
                .context("cannot record the reusable checkout")?;
            std::io::Write::write_all(&mut tmp, &line)
                .context("cannot record the reusable checkout")?;
            tmp.persist(&record)
                .map_err(|e| e.error)
                .context("cannot record the reusable checkout")?;
            dir
        }
    };
    match sync(repo, commit, &root) {
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
            let _ = remove_all(&root);
            Err(e)
        }
    }
}

/// True for a directory we made with `prefix` in the temporary directory and
/// that nobody else can enter: not a link, owned by our effective uid, mode
/// 0700. Checked on an open descriptor (no link followed at the last
/// component); the temporary directory's sticky bit keeps others from
/// replacing it afterwards.
fn private_root(path: &Path, prefix: &str) -> bool {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.len() > prefix.len() && n.starts_with(prefix));
    if !named || !path.is_absolute() || path.parent() != Some(std::env::temp_dir().as_path()) {
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

fn reusable(path: &Path) -> bool {
    private_root(path, REUSE_PREFIX)
}

/// What [`sync`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SyncStats {
    /// Entries found equal to the commit's and left as they were.
    pub kept: usize,
    /// Entries written.
    pub written: usize,
    /// Paths removed (differing entries and anything not in the commit).
    pub removed: usize,
}

/// Bring `root` (a directory verified as ours) to exactly the tree of
/// `commit`, and prove it: the entries come from the commit's tree in the
/// object database (never from an index on disk); each existing file is
/// opened without following links and kept only if it is a regular file with
/// one link, owned by us, with the mode a fresh checkout gives it and content
/// hashing to the entry's blob id; a symbolic link only if its target equals
/// the blob. Everything else is removed (links themselves, never what they
/// point to), and the missing entries are written by the same code as a fresh
/// checkout, exclusively (`O_EXCL`). Files that the checkout filters (for
/// example `eol=crlf`) differ from their blob and are rewritten every run.
pub fn sync(repo: &gix::Repository, commit: ObjectId, root: &Path) -> Result<SyncStats> {
    let tree = repo.find_commit(commit)?.tree_id()?.detach();
    let mut index = repo.index_from_tree(&tree)?;
    let caps = repo
        .checkout_options(gix::worktree::stack::state::attributes::Source::IdMapping)?
        .fs;
    let umask = process_umask();
    let mut expected: HashMap<BString, usize> = HashMap::with_capacity(index.entries().len());
    let mut dirs: HashSet<BString> = HashSet::new();
    for (i, entry) in index.entries().iter().enumerate() {
        let path = entry.path(&index);
        let mut at = path.len();
        while let Some(slash) = path[..at].rfind_byte(b'/') {
            if !dirs.insert(path[..slash].into()) {
                break;
            }
            at = slash;
        }
        expected.insert(path.into(), i);
    }
    let mut walk = Walk {
        repo,
        index: &index,
        expected: &expected,
        dirs: &dirs,
        ok: vec![false; index.entries().len()],
        files: Vec::new(),
        stats: SyncStats::default(),
        file_mode: 0o666 & !umask,
        exec_mode: if caps.executable_bit { 0o777 } else { 0o666 } & !umask,
        dir_mode: 0o777 & !umask,
        symlinks: caps.symlink,
        // SAFETY: geteuid cannot fail.
        uid: unsafe { libc::geteuid() },
    };
    let context = || format!("cannot reset the test checkout {}", root.display());
    walk.dir(root, BStr::new(b"")).with_context(context)?;
    // Hash the files on every core, then remove those that differ.
    let matches = files_match(&walk.files, walk.uid);
    for (file, matched) in walk.files.iter().zip(matches) {
        if matched {
            walk.ok[file.entry] = true;
        } else {
            remove_all(&file.path).with_context(context)?;
            walk.stats.removed += 1;
        }
    }
    let mut stats = walk.stats;
    let ok = walk.ok;
    for (entry, keep) in index.entries_mut().iter_mut().zip(&ok) {
        if *keep {
            entry.flags.insert(gix::index::entry::Flags::SKIP_WORKTREE);
            stats.kept += 1;
        } else if entry.mode != gix::index::entry::Mode::COMMIT {
            stats.written += 1;
        }
    }
    write_entries(repo, &mut index, root)?;
    Ok(stats)
}

struct Walk<'a> {
    repo: &'a gix::Repository,
    index: &'a gix::index::State,
    expected: &'a HashMap<BString, usize>,
    dirs: &'a HashSet<BString>,
    ok: Vec<bool>,
    stats: SyncStats,
    file_mode: u32,
    exec_mode: u32,
    dir_mode: u32,
    symlinks: bool,
    uid: u32,
    /// Regular files to hash.
    files: Vec<Found>,
}

/// An existing regular file at the path of an entry, with the mode it must have.
struct Found {
    path: PathBuf,
    entry: usize,
    id: ObjectId,
    mode: u32,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, prefix: &BStr) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let abs = entry.path();
            let name = entry.file_name();
            let mut rel = BString::from(prefix);
            if !rel.is_empty() {
                rel.push_byte(b'/');
            }
            rel.push_str(name.as_bytes());
            // Not followed: the type of the entry itself.
            let kind = entry.file_type()?;
            if let Some(&i) = self.expected.get(&rel) {
                match self.entry_matches(i, &abs, kind) {
                    Some(true) => self.ok[i] = true,
                    Some(false) => {
                        remove_all(&abs)?;
                        self.stats.removed += 1;
                    }
                    None => {}
                }
            } else if kind.is_dir() && self.dirs.contains(&rel) {
                let meta = std::fs::symlink_metadata(&abs)?;
                if meta.uid() != self.uid {
                    return Err(std::io::Error::other("a directory owned by another user"));
                }
                if meta.mode() & 0o7777 != self.dir_mode {
                    chmod_dir(&abs, self.dir_mode)?;
                }
                self.dir(&abs, rel.as_ref())?;
            } else {
                remove_all(&abs)?;
                self.stats.removed += 1;
            }
        }
        Ok(())
    }

    /// Whether the entry at `abs` matches index entry `i`; regular files
    /// are queued in `files` for hashing instead (`None`).
    fn entry_matches(&mut self, i: usize, abs: &Path, kind: std::fs::FileType) -> Option<bool> {
        use gix::index::entry::Mode;
        let entry = &self.index.entries()[i];
        let mode = match entry.mode {
            Mode::FILE => self.file_mode,
            Mode::FILE_EXECUTABLE => self.exec_mode,
            Mode::SYMLINK if self.symlinks => {
                return Some(
                    kind.is_symlink()
                        && match (std::fs::read_link(abs), self.repo.find_blob(entry.id)) {
                            (Ok(target), Ok(blob)) => {
                                target.as_os_str().as_bytes() == &blob.data[..]
                            }
                            _ => false,
                        },
                );
            }
            // Without symbolic links, the checkout writes the target as a file.
            Mode::SYMLINK => self.file_mode,
            // Submodules are not checked out: nothing may be there.
            _ => return Some(false),
        };
        if !kind.is_file() {
            return Some(false);
        }
        self.files.push(Found {
            path: abs.to_path_buf(),
            entry: i,
            id: entry.id,
            mode,
        });
        None
    }
}

/// For each file, whether it matches (see [`file_matches`]); on every core.
fn files_match(files: &[Found], uid: u32) -> Vec<bool> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = files.len().div_ceil(threads).max(64);
    let mut out = vec![false; files.len()];
    std::thread::scope(|scope| {
        for (files, out) in files.chunks(chunk).zip(out.chunks_mut(chunk)) {
            scope.spawn(move || {
                let mut buf = vec![0; 64 * 1024];
                for (file, result) in files.iter().zip(out) {
                    *result = file_matches(file, uid, &mut buf);
                }
            });
        }
    });
    out
}

/// A regular file with one link, owned by `uid`, with its mode, whose
/// content hashes to its blob id. Opened without following a link.
fn file_matches(f: &Found, uid: u32, buf: &mut [u8]) -> bool {
    let Ok(mut file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(&f.path)
    else {
        return false;
    };
    let Ok(meta) = file.metadata() else {
        return false;
    };
    if !meta.is_file() || meta.nlink() != 1 || meta.uid() != uid || meta.mode() & 0o7777 != f.mode {
        return false;
    }
    let mut hasher = gix::hash::hasher(f.id.kind());
    hasher.update(&gix::objs::encode::loose_header(
        gix::objs::Kind::Blob,
        meta.len(),
    ));
    let mut total = 0u64;
    loop {
        match file.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                total += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    total == meta.len() && hasher.try_finalize().is_ok_and(|h| h == f.id)
}

/// Remove `path` and, for a directory, everything in it; a link is removed
/// itself, never followed. Directories we cannot enter are first made
/// accessible (they are ours: the checkout is private).
fn remove_all(path: &Path) -> std::io::Result<()> {
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
fn chmod_dir(path: &Path, mode: u32) -> std::io::Result<()> {
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
fn process_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_all_never_follows_links() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(outside.join("d")).unwrap();
        std::fs::write(outside.join("d/keep"), "x").unwrap();
        let inside = tmp.path().join("inside");
        std::fs::create_dir_all(inside.join("locked")).unwrap();
        std::os::unix::fs::symlink(&outside, inside.join("link")).unwrap();
        std::os::unix::fs::symlink(outside.join("d"), inside.join("locked/link")).unwrap();
        chmod_dir(&inside.join("locked"), 0).unwrap();
        remove_all(&inside).unwrap();
        assert!(!inside.exists());
        assert_eq!(
            std::fs::read_to_string(outside.join("d/keep")).unwrap(),
            "x"
        );
        // chmod_dir refuses a link.
        std::os::unix::fs::symlink(&outside, tmp.path().join("l")).unwrap();
        assert!(chmod_dir(&tmp.path().join("l"), 0o700).is_err());
    }

    #[test]
    fn umask_is_read() {
        assert_eq!(process_umask() & !0o777, 0);
    }

    fn git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Every entry under `dir`: path, kind, mode bits, content or link target.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, String, u32, Vec<u8>)> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String, u32, Vec<u8>)>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let p = e.path();
                let m = std::fs::symlink_metadata(&p).unwrap();
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                if m.file_type().is_symlink() {
                    let t = std::fs::read_link(&p).unwrap();
                    out.push((rel, "link".into(), 0, t.as_os_str().as_bytes().to_vec()));
                } else if m.is_dir() {
                    out.push((rel, "dir".into(), m.mode() & 0o7777, vec![]));
                    walk(root, &p, out);
                } else {
                    out.push((
                        rel,
                        "file".into(),
                        m.mode() & 0o7777,
                        std::fs::read(&p).unwrap(),
                    ));
                }
            }
        }
        let mut out = Vec::new();
        walk(dir, dir, &mut out);
        out
    }

    #[test]
    fn sync_proves_the_tree_and_rewrites_only_what_differs() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        std::fs::create_dir_all(src.join("d/e")).unwrap();
        std::fs::create_dir_all(src.join("bin")).unwrap();
        std::fs::write(src.join("a.txt"), "alpha\n").unwrap();
        std::fs::write(src.join("d/e/f.txt"), "deep\n").unwrap();
        std::fs::write(src.join("bin/run.sh"), "#!/bin/sh\necho run\n").unwrap();
        std::fs::set_permissions(src.join("bin/run.sh"), PermissionsExt::from_mode(0o755)).unwrap();
        symlink("a.txt", src.join("link")).unwrap();
        std::fs::write(src.join(".gitattributes"), "*.crlf text eol=crlf\n").unwrap();
        std::fs::write(src.join("x.crlf"), "one\ntwo\n").unwrap();
        git(tmp.path(), &["init", "-q", "src"]);
        git(&src, &["add", "-A"]);
        git(&src, &["commit", "-q", "-m", "c"]);
        let repo = gix::open(&src).unwrap();
        let commit = repo.head_id().unwrap().detach();
        let fresh = checkout(&repo, commit).unwrap();
        let want = snapshot(fresh.path());
        assert!(want
            .iter()
            .any(|(p, _, _, c)| p.ends_with("x.crlf") && c == b"one\r\ntwo\r\n"));

        let reused = tmp.path().join("reused");
        std::fs::create_dir(&reused).unwrap();
        let first = sync(&repo, commit, &reused).unwrap();
        assert_eq!(first.kept, 0);
        assert_eq!(snapshot(&reused), want);
        // Unchanged: only the filtered file (its bytes are not its blob's) is rewritten.
        let again = sync(&repo, commit, &reused).unwrap();
        assert_eq!((again.written, again.removed), (1, 1), "{again:?}");
        assert_eq!(snapshot(&reused), want);

        // Tampered with in every way a test could, behind the stat data too.
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(outside.join("keep")).unwrap();
        std::fs::write(outside.join("keep/k"), "k").unwrap();
        let a = reused.join("a.txt");
        let before = std::fs::metadata(&a).unwrap();
        std::fs::write(&a, "ALPHA\n").unwrap();
        let mtime = std::fs::FileTimes::new().set_modified(before.modified().unwrap());
        std::fs::File::options()
            .write(true)
            .open(&a)
            .unwrap()
            .set_times(mtime)
            .unwrap();
        std::fs::set_permissions(reused.join("bin/run.sh"), PermissionsExt::from_mode(0o644))
            .unwrap();
        std::fs::remove_file(reused.join("link")).unwrap();
        std::fs::write(reused.join("link"), "a.txt").unwrap();
        std::fs::remove_dir_all(reused.join("d/e")).unwrap();
        symlink(outside.join("keep"), reused.join("d/e")).unwrap();
        symlink(&outside, reused.join("out")).unwrap();
        // A hard link lets a file change from outside after it was verified.
        std::fs::hard_link(reused.join(".gitattributes"), outside.join("hard")).unwrap();
        std::fs::create_dir_all(reused.join(".git/locked/deeper")).unwrap();
        std::fs::set_permissions(reused.join(".git/locked"), PermissionsExt::from_mode(0o000))
            .unwrap();
        std::fs::set_permissions(reused.join("d"), PermissionsExt::from_mode(0o500)).unwrap();
        sync(&repo, commit, &reused).unwrap();
        assert_eq!(snapshot(&reused), want);
        assert_eq!(
            std::fs::read_to_string(outside.join("keep/k")).unwrap(),
            "k"
        );
        assert_eq!(std::fs::read_dir(outside.join("keep")).unwrap().count(), 1);
        assert_eq!(
            std::fs::metadata(reused.join(".gitattributes"))
                .unwrap()
                .nlink(),
            1
        );
    }

    #[test]
    fn the_reused_checkout_is_private_recorded_and_removable() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.txt"), "alpha\n").unwrap();
        git(tmp.path(), &["init", "-q", "src"]);
        git(&src, &["add", "-A"]);
        git(&src, &["commit", "-q", "-m", "c"]);
        let repo = gix::open(&src).unwrap();
        let commit = repo.head_id().unwrap().detach();
        let first = checkout_reused(&repo, commit).unwrap();
        assert!(first.is_reused());
        let dir = first.path().to_path_buf();
        assert_eq!(recorded(&reuse_record(&repo)), Some(dir.clone()));
        // One run at a time: another gets a fresh checkout meanwhile.
        let second = checkout_reused(&repo, commit).unwrap();
        assert!(!second.is_reused());
        assert!(remove_reused(&repo).is_err());
        drop((first, second));
        assert_eq!(checkout_reused(&repo, commit).unwrap().path(), dir);
        assert_eq!(remove_reused(&repo).unwrap(), Some(dir.clone()));
        assert!(!dir.exists() && !reuse_record(&repo).exists());
        // A record naming a link: forgotten, nothing removed through it.
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("k"), "k").unwrap();
        symlink(&outside, &dir).unwrap();
        std::fs::write(reuse_record(&repo), dir.as_os_str().as_bytes()).unwrap();
        assert_eq!(remove_reused(&repo).unwrap(), None);
        assert!(outside.join("k").exists() && !reuse_record(&repo).exists());
        std::fs::remove_file(&dir).unwrap();
    }
}
