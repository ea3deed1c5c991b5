//! Crash-safe writing. Every ref transaction of this tool runs while holding
//! an exclusive `flock` on `<common-dir>/upgrades/write.lock`; the kernel
//! drops it when the holder dies, even by `kill -9`. So while we hold it, a
//! `.lock` file under the tool's own namespaces can only have been left by a
//! killed writer: it is removed (and reported), and the next command works
//! without manual clean-up. Locks elsewhere (a target branch, packed-refs)
//! may belong to a live git process and are waited for, never removed.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

static NOTICES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Record a message for the user (printed by the command layer).
pub fn notice(text: String) {
    if let Ok(mut n) = NOTICES.lock() {
        n.push(text);
    }
}

/// Take the messages recorded so far.
pub fn take_notices() -> Vec<String> {
    NOTICES
        .lock()
        .map(|mut n| std::mem::take(&mut *n))
        .unwrap_or_default()
}

/// Held while writing refs; released on drop or when the process dies.
pub struct WriteLock {
    _file: File,
}

/// Take the tool's write lock for this repository, waiting for other writers.
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
    // SAFETY: flock on a descriptor we own; blocks until other writers finish
    // their (millisecond-long) transactions.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    if rc != 0 {
        return Err(Error::from_std(
            "cannot lock the queue for writing",
            &std::io::Error::last_os_error(),
        ));
    }
    Ok(WriteLock { _file: file })
}

/// The `.lock` file a gix lock error names, if any.
pub fn lock_file_in(message: &str) -> Option<PathBuf> {
    let start = message.find("The lockfile at \"")? + "The lockfile at \"".len();
    let end = message[start..].find('"')? + start;
    Some(PathBuf::from(&message[start..end]))
}

/// True for lock files under the tool's own ref namespaces.
pub fn is_ours(lock: &Path, git_dir: &Path) -> bool {
    let Ok(rel) = lock.strip_prefix(git_dir) else {
        return false;
    };
    let rel = rel.to_string_lossy();
    rel.starts_with("refs/upgrades/")
        || rel.starts_with("refs/upgrades-archive/")
        || rel.starts_with("refs/notes/upgrades/")
        || rel.starts_with("refs/upgrades-sync/")
}
