//! Crash-safe writing.
//!
//! Every ref transaction of this tool runs while holding an exclusive `flock`
//! on `<common-dir>/upgrades/write.lock`; the kernel drops it when the holder
//! dies, even by `kill -9`, so no two of our writers ever meet.
//!
//! git's own `.lock` files (a ref's `<name>.lock`, `packed-refs.lock`) carry
//! no owner: git and gix create them, often close them at once, and rename or
//! delete them when the transaction ends. A process killed in between leaves
//! one behind, and every later write to that ref fails. Such a lock is
//! recovered by asking who could hold it, never by its age ([`holder`]): on
//! Linux, it is held while any live process of its owner has it open (a scan
//! of `/proc/<pid>/fd`), or while any live git process works in this
//! repository (its working directory, `GIT_DIR` or a path argument lies in the
//! repository), since git keeps lock files closed while it holds them. Our
//! own writers are excluded because we hold the write lock. A lock nobody
//! holds is stale: it is removed, reported through [`notice`], and the write
//! retried. A held lock is waited for, then reported with its holder. Where
//! processes cannot be inspected (no `/proc`, a lock owned by another user),
//! locks are always treated as held.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use super::notice::{notice, take_notices};

/// Held while writing refs; released on drop or when the process dies.
pub struct WriteLock {
    _file: File,
}

/// Take the tool's write lock for this repository, waiting for other writers.
/// Never take it twice in one process: a second `flock` on another descriptor
/// of the same file would wait for the first forever.
pub fn write_lock(common_dir: &Path) -> Result<WriteLock> {
    let dir = common_dir.join("upgrades");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::from_std(format!("cannot create {}", dir.display()), &e))?;
    let path = dir.join("write.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::from_std(format!("cannot open {}", path.display()), &e))?;
    // Blocks until other writers finish their (millisecond-long) transactions.
    file.lock()
        .map_err(|e| Error::from_std("cannot lock the queue for writing", &e))?;
    Ok(WriteLock { _file: file })
}

/// Configuration for a git command that takes ref locks: try for each lock
/// for 100 ms only, whatever the user set (a timeout of -1 would make git
/// wait for ever on a lock a killed process left). The caller waits, for
/// as long as the user's setting says, and recovers stale locks between
/// tries.
pub const BRIEF_LOCK_WAITS: [&str; 3] = [
    "core.filesRefLockTimeout=100",
    "core.packedRefsTimeout=100",
    "reftable.lockTimeout=100",
];

/// The git lock files in the way of a git command that failed with
/// `stderr`: in a reftable repository, the stack's lock if it exists (git
/// names no file for it: "cannot lock references"); otherwise the existing
/// files git's message names.
pub fn git_lock_files(repo: &gix::Repository, stderr: &str) -> Vec<PathBuf> {
    if crate::refs::through_git(repo) {
        let stack = reftable_lock(repo);
        return if stack.exists() {
            vec![stack]
        } else {
            Vec::new()
        };
    }
    lock_files_in_git_error(stderr)
        .into_iter()
        .filter(|p| p.exists())
        .collect()
}

/// The lock file of a reftable repository's stack of tables: every ref
/// write takes it.
pub fn reftable_lock(repo: &gix::Repository) -> PathBuf {
    repo.common_dir().join("reftable").join("tables.list.lock")
}

/// Every `.lock` file named in git's error output (`Unable to create '<path>.lock': File exists.`).
pub fn lock_files_in_git_error(stderr: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in stderr.lines() {
        let Some(start) = line.find("Unable to create '") else {
            continue;
        };
        let rest = &line[start + "Unable to create '".len()..];
        if let Some(end) = rest.find(".lock'") {
            let path = PathBuf::from(&rest[..end + ".lock".len()]);
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// The directories that make up one repository, for finding the processes
/// that work in it: its work tree (if any), git directory and common directory.
pub fn repository_dirs(repo: &gix::Repository) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for dir in [
        repo.workdir().map(Path::to_path_buf),
        Some(repo.git_dir().to_path_buf()),
        Some(repo.common_dir().to_path_buf()),
    ]
    .into_iter()
    .flatten()
    {
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// Who holds a lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// No live process: the lock was left by a process that died.
    Nobody,
    /// A live process that has the lock open, or a git process working in the repository.
    Process {
        /// Its process id.
        pid: u32,
        /// Its command line, shortened and made printable.
        command: String,
        /// True if it has the lock file open (false: a git process in the repository).
        has_open: bool,
    },
    /// It cannot be told (why), so the lock counts as held.
    Unknown(String),
}

impl Holder {
    /// A description for messages: "process 123 (git gc)".
    pub fn describe(&self) -> String {
        match self {
            Holder::Nobody => "no process".into(),
            Holder::Process {
                pid,
                command,
                has_open,
            } => {
                if *has_open {
                    format!("process {pid} ({command}), which has it open")
                } else {
                    format!("process {pid} ({command}), a git process working in this repository")
                }
            }
            Holder::Unknown(why) => format!("an unknown process ({why})"),
        }
    }
}

/// Who holds the lock file `lock` of the repository made of `dirs` (see the module documentation).
pub fn holder(lock: &Path, dirs: &[PathBuf]) -> Holder {
    let meta = match std::fs::symlink_metadata(lock) {
        Ok(m) => m,
        Err(_) => return Holder::Nobody,
    };
    procs::holder(lock, meta.uid(), dirs)
}

/// What [`recover`] did with a lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// It was stale, and is removed.
    Removed,
    /// It is gone already (its holder finished).
    Gone,
    /// It is held (by whom).
    Held(Holder),
}

/// Remove `lock` if no process holds it (see [`holder`]). Call only while
/// holding the tool's write lock, so that none of our own writers is the holder.
pub fn recover(lock: &Path, dirs: &[PathBuf]) -> Recovery {
    let Ok(before) = std::fs::symlink_metadata(lock) else {
        return Recovery::Gone;
    };
    if !before.file_type().is_file() {
        return Recovery::Held(Holder::Unknown("it is not a regular file".into()));
    }
    match holder(lock, dirs) {
        Holder::Nobody => {}
        held => return Recovery::Held(held),
    }
    // Only the file we inspected: if it was replaced meanwhile, look again.
    match std::fs::symlink_metadata(lock) {
        Ok(now) if now.dev() == before.dev() && now.ino() == before.ino() => {}
        Ok(_) => return Recovery::Held(Holder::Unknown("it was just replaced".into())),
        Err(_) => return Recovery::Gone,
    }
    match std::fs::remove_file(lock) {
        Ok(()) => Recovery::Removed,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Recovery::Gone,
        Err(e) => Recovery::Held(Holder::Unknown(format!("it cannot be removed: {e}"))),
    }
}

/// A running `git gc` of this repository that deletes unreachable objects at
/// once (`--prune=now`, `--prune=all`, or `gc.pruneExpire` set so): its
/// process id, from `<common-dir>/gc.pid`. `prune_now_configured` says whether
/// the repository's configuration makes every gc do that.
pub fn pruning_gc(common_dir: &Path, prune_now_configured: bool) -> Option<u32> {
    let text = std::fs::read_to_string(common_dir.join("gc.pid")).ok()?;
    let (pid, host) = text.trim().split_once(' ')?;
    let pid: u32 = pid.parse().ok()?;
    if host != procs::hostname()? || !procs::alive(pid) {
        return None;
    }
    let args = procs::cmdline(pid)?;
    let prunes_now = prune_now_configured
        || args.iter().any(|a| {
            let a = a.to_string_lossy().to_ascii_lowercase();
            a == "--prune=now"
                || a == "--prune=all"
                || a.ends_with("pruneexpire=now")
                || a.ends_with("pruneexpire=all")
        });
    prunes_now.then_some(pid)
}

/// A command line made printable and short.
fn printable(args: &[OsString]) -> String {
    let mut text: String = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > 60 {
        text = text.chars().take(59).collect::<String>() + "…";
    }
    text
}

#[cfg(target_os = "linux")]
mod procs {
    use super::*;

    /// The numeric entries of /proc, except this process.
    fn pids() -> Option<Vec<u32>> {
        let me = std::process::id();
        let entries = std::fs::read_dir("/proc").ok()?;
        Some(
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|p| *p != me)
                .collect(),
        )
    }

    /// True while `pid` exists and has not exited (a zombie waiting to be
    /// reaped counts as ended).
    pub fn alive(pid: u32) -> bool {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return false;
        };
        // "pid (comm) S ...": the state follows the last ')'.
        let state = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next());
        !matches!(state, Some("Z") | Some("X") | None)
    }

    pub fn hostname() -> Option<String> {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; the result is NUL-terminated or truncated.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        if rc != 0 {
            return None;
        }
        let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
        Some(String::from_utf8_lossy(&buf[..end]).into_owned())
    }

    pub fn cmdline(pid: u32) -> Option<Vec<OsString>> {
        let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        Some(
            raw.split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| OsString::from_vec(a.to_vec()))
                .collect(),
        )
    }

    fn comm(pid: u32) -> Option<String> {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .ok()
            .map(|s| s.trim_end().to_string())
    }

    fn describe(pid: u32) -> String {
        match cmdline(pid) {
            Some(args) if !args.is_empty() => printable(&args),
            _ => comm(pid).unwrap_or_else(|| "?".into()),
        }
    }

    fn has_open(pid: u32, target: &Path) -> bool {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            return false;
        };
        fds.flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == target))
    }

    /// A git process (not this tool) whose working directory, `GIT_DIR` or
    /// an absolute path argument lies inside one of `dirs`.
    fn git_in(pid: u32, dirs: &[PathBuf], own_comm: &str) -> bool {
        let Some(name) = comm(pid) else {
            return false;
        };
        let is_git = name == "git" || (name.starts_with("git-") && name != own_comm);
        if !is_git {
            return false;
        }
        let inside = |p: &Path| dirs.iter().any(|d| p.starts_with(d));
        if std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| inside(&cwd)) {
            return true;
        }
        if let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) {
            for var in env.split(|b| *b == 0) {
                for key in [&b"GIT_DIR="[..], b"GIT_COMMON_DIR=", b"GIT_WORK_TREE="] {
                    if let Some(value) = var.strip_prefix(key) {
                        let p = PathBuf::from(OsString::from_vec(value.to_vec()));
                        if inside(&std::fs::canonicalize(&p).unwrap_or(p)) {
                            return true;
                        }
                    }
                }
            }
        }
        cmdline(pid).unwrap_or_default().iter().any(|arg| {
            let bytes = arg.as_encoded_bytes();
            let value = match bytes.iter().position(|b| *b == b'=') {
                Some(i) if bytes.starts_with(b"--") => &bytes[i + 1..],
                _ => bytes,
            };
            value.starts_with(b"/") && {
                let p = PathBuf::from(OsString::from_vec(value.to_vec()));
                inside(&std::fs::canonicalize(&p).unwrap_or(p))
            }
        })
    }

    pub fn holder(lock: &Path, owner: u32, dirs: &[PathBuf]) -> Holder {
        // SAFETY: geteuid cannot fail.
        let me = unsafe { libc::geteuid() };
        if me != 0 && owner != me {
            return Holder::Unknown(format!(
                "the lock belongs to user {owner}, whose processes cannot be inspected"
            ));
        }
        let Some(pids) = pids() else {
            return Holder::Unknown("/proc cannot be read".into());
        };
        let target = std::fs::canonicalize(lock).unwrap_or_else(|_| lock.to_path_buf());
        let own_comm = comm(std::process::id()).unwrap_or_default();
        let mut git_worker = None;
        for pid in pids {
            let uid = std::fs::metadata(format!("/proc/{pid}")).map(|m| m.uid());
            if me != 0 && uid.map_or(true, |u| u != owner) {
                continue;
            }
            if has_open(pid, &target) {
                return Holder::Process {
                    pid,
                    command: describe(pid),
                    has_open: true,
                };
            }
            if git_worker.is_none() && git_in(pid, dirs, &own_comm) {
                git_worker = Some(pid);
            }
        }
        match git_worker {
            Some(pid) => Holder::Process {
                pid,
                command: describe(pid),
                has_open: false,
            },
            None => Holder::Nobody,
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod procs {
    use super::*;

    pub fn alive(pid: u32) -> bool {
        let Ok(pid) = i32::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists.
        let rc = unsafe { libc::kill(pid, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }

    pub fn hostname() -> Option<String> {
        None
    }

    pub fn cmdline(_pid: u32) -> Option<Vec<OsString>> {
        None
    }

    pub fn holder(_lock: &Path, _owner: u32, _dirs: &[PathBuf]) -> Holder {
        let _ = printable;
        Holder::Unknown("processes can only be inspected on Linux".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_paths_are_found_in_git_errors() {
        let stderr = "error: cannot lock ref 'refs/remotes/o/main': Unable to create '/r/.git/refs/remotes/o/main.lock': File exists.\n\nAnother git process seems to be running\nfatal: Unable to create '/r/.git/packed-refs.lock': File exists.\n";
        assert_eq!(
            lock_files_in_git_error(stderr),
            vec![
                PathBuf::from("/r/.git/refs/remotes/o/main.lock"),
                PathBuf::from("/r/.git/packed-refs.lock")
            ]
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_open_lock_is_held_and_an_abandoned_one_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().canonicalize().unwrap();
        let lock = repo.join("packed-refs.lock");
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg("exec 3>packed-refs.lock; echo ready; exec sleep 60")
            .current_dir(&repo)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
            &mut line,
        )
        .unwrap();
        let held = recover(&lock, std::slice::from_ref(&repo));
        child.kill().unwrap();
        child.wait().unwrap();
        match held {
            Recovery::Held(Holder::Process { pid, has_open, .. }) => {
                assert_eq!(pid, child.id());
                assert!(has_open);
            }
            other => panic!("{other:?}"),
        }
        assert!(lock.exists());
        assert_eq!(
            recover(&lock, std::slice::from_ref(&repo)),
            Recovery::Removed
        );
        assert!(!lock.exists());
        assert_eq!(recover(&lock, &[repo]), Recovery::Gone);
    }
}
