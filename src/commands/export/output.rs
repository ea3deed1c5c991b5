//! Where an export is written, and how it replaces an earlier one without
//! ever leaving a half-written page: every file is written into a private
//! temporary directory first, then moved into place by renames, each of which
//! is atomic. A failed export leaves the directory as it was (and removes its
//! temporary directory).
//!
//! - A missing directory: the temporary directory is made beside it and
//!   renamed to it whole.
//! - An existing directory (empty, an earlier export, or any with `--force`):
//!   the temporary directory is made inside it (so the renames never cross a
//!   file system, even when it is a mount point) and the pieces are moved in:
//!   the marker, `u/` (swapped with the old one at once where Linux allows,
//!   then the old one removed), `style.css` and `index.html` last. Other files
//!   in the directory are left alone.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The file that marks a directory as written by `export` (an earlier export
/// is replaced without `--force`).
pub const MARKER: &str = ".git-upgrades-export";
/// The marker's content.
const MARKER_TEXT: &str = "git-upgrades export\nformat 1\n";
/// The pieces an export owns, in the order they are moved into place: the
/// index last, so it never links to pages that are not there yet.
const PIECES: [&str; 4] = [MARKER, "u", "style.css", "index.html"];

/// An export being written.
pub struct Staging {
    dir: PathBuf,
    existing: bool,
    tmp: tempfile::TempDir,
}

fn shown(p: &Path) -> String {
    crate::ui::escape::text(&p.display().to_string()).into_owned()
}

fn io_error(what: String, e: std::io::Error) -> Error {
    Error::failure(format!("{what}: {e}"))
}

impl Staging {
    /// Check `dir` and make the temporary directory. A `dir` that is not a
    /// directory, or a non-empty one that holds no earlier export (without
    /// `force`), is a usage error (exit 2); nothing is written then.
    pub fn new(dir: &Path, force: bool) -> Result<Staging> {
        let existing = match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => true,
            Ok(_) => {
                return Err(
                    Error::usage(format!("{} exists and is not a directory", shown(dir)))
                        .hint("name a directory for the export (it is created if missing)"),
                )
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(io_error(format!("cannot read {}", shown(dir)), e)),
        };
        if existing && !force && !dir.join(MARKER).is_file() {
            let mut entries = std::fs::read_dir(dir)
                .map_err(|e| io_error(format!("cannot read {}", shown(dir)), e))?;
            if entries.next().is_some() {
                return Err(Error::usage(format!(
                    "{} is not empty and holds no earlier export",
                    shown(dir)
                ))
                .hint("name an empty or new directory, or pass --force to write into it anyway (its index.html, style.css and u/ are replaced)"));
            }
        }
        let tmp = if existing {
            tempfile::Builder::new()
                .prefix(".git-upgrades-export.tmp-")
                .tempdir_in(dir)
                .map_err(|e| io_error(format!("cannot write into {}", shown(dir)), e))?
        } else {
            let parent = match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            std::fs::create_dir_all(&parent)
                .map_err(|e| io_error(format!("cannot create {}", shown(&parent)), e))?;
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "export".into());
            tempfile::Builder::new()
                .prefix(&format!(".{name}.tmp-"))
                .tempdir_in(&parent)
                .map_err(|e| io_error(format!("cannot write beside {}", shown(dir)), e))?
        };
        let staging = Staging {
            dir: dir.to_path_buf(),
            existing,
            tmp,
        };
        std::fs::create_dir(staging.pages_dir()).map_err(|e| staging.write_error(e))?;
        staging.write(MARKER, MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// The temporary directory for the per-upgrade pages (`u/`).
    pub fn pages_dir(&self) -> PathBuf {
        self.tmp.path().join("u")
    }

    /// The error for a failed write into the temporary directory.
    pub fn write_error(&self, e: std::io::Error) -> Error {
        io_error(
            format!("cannot write the export into {}", shown(&self.dir)),
            e,
        )
    }

    /// Write one file at the export's root (in the temporary directory).
    pub fn write(&self, name: &str, data: &[u8]) -> Result<()> {
        std::fs::write(self.tmp.path().join(name), data).map_err(|e| self.write_error(e))
    }

    /// Move everything into place.
    pub fn install(self) -> Result<()> {
        let fail = |e: std::io::Error| {
            io_error(
                format!("cannot move the export into {}", shown(&self.dir)),
                e,
            )
        };
        if !self.existing {
            let path = self.tmp.path().to_path_buf();
            std::fs::rename(&path, &self.dir).map_err(fail)?;
            // The directory is in place: nothing is left for the guard to remove.
            let _ = self.tmp.keep();
            return Ok(());
        }
        for piece in PIECES {
            let new = self.tmp.path().join(piece);
            let old = self.dir.join(piece);
            if piece == "u" && std::fs::symlink_metadata(&old).is_ok() {
                if exchange(&new, &old).is_err() {
                    // Not atomic, but never half-written: the old pages are
                    // moved aside whole, the new ones in whole.
                    let aside = self.tmp.path().join("u.old");
                    std::fs::rename(&old, &aside).map_err(fail)?;
                    std::fs::rename(&new, &old).map_err(fail)?;
                }
            } else {
                std::fs::rename(&new, &old).map_err(fail)?;
            }
        }
        // Dropping the guard removes the temporary directory with the old pages.
        Ok(())
    }
}

/// Swap two paths at once (`renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}
