//! Bringing a reused checkout to exactly a commit's tree, and proving it.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use gix::bstr::{BStr, BString, ByteSlice, ByteVec};
use gix::ObjectId;

use super::{chmod_dir, process_umask, remove_all, write_entries};
use crate::error::{Context, Result};

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
///
/// With `keep_ignored`, an untracked entry that the commit's ignore rules
/// (its `.gitignore` files, `info/exclude`, the user's excludes file) ignore
/// is left as it is, without descending into it: build outputs stay warm.
pub fn sync(
    repo: &gix::Repository,
    commit: ObjectId,
    root: &Path,
    keep_ignored: bool,
) -> Result<SyncStats> {
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
        ignored: if keep_ignored {
            Some(repo.excludes(
                &index,
                None,
                gix::worktree::stack::state::ignore::Source::IdMapping,
            )?)
        } else {
            None
        },
        kept: 0,
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
    /// The commit's ignore rules, when ignored entries are kept.
    ignored: Option<gix::AttributeStack<'a>>,
    /// Ignored entries kept.
    kept: usize,
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
            } else if self.is_ignored(rel.as_ref(), kind.is_dir()) {
                self.kept += 1;
            } else {
                remove_all(&abs)?;
                self.stats.removed += 1;
            }
        }
        Ok(())
    }

    /// True when ignored entries are kept and the commit's rules ignore `rel`.
    /// `.git` is never kept: a repository there would capture git commands.
    fn is_ignored(&mut self, rel: &BStr, is_dir: bool) -> bool {
        let Some(stack) = self.ignored.as_mut() else {
            return false;
        };
        if rel.split(|b| *b == b'/').any(|c| c == b".git") {
            return false;
        }
        let mode = is_dir.then_some(gix::index::entry::Mode::DIR);
        stack
            .at_entry(rel, mode)
            .is_ok_and(|platform| platform.is_excluded())
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
