//! Installing the man pages and shell completions under a user's prefix
//! (`util install`), in the places man, bash-completion, zsh and fish search.
//!
//! Everything is written into directories the user owns: no root. Nothing is
//! written until every directory exists and takes a file, and each file is
//! replaced by a rename, so a failure leaves the old files whole. Prints
//! nothing: the caller reports what was done and what the user must add.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Context, Error, Result};

/// A shell whose completions can be installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// bash (through the bash-completion package, as git's own completion)
    Bash,
    /// zsh
    Zsh,
    /// fish
    Fish,
}

impl Shell {
    /// All shells with an install location.
    pub const ALL: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

    /// The shell named by a path like `$SHELL` (`/usr/bin/zsh`), if supported.
    pub fn from_path(path: &str) -> Option<Shell> {
        match Path::new(path).file_name()?.to_str()? {
            "bash" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            "fish" => Some(Shell::Fish),
            _ => None,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    /// The file `util completions` writes for it.
    pub fn generated_file(self) -> &'static str {
        match self {
            Shell::Bash => "git-upgrades.bash",
            Shell::Zsh => "_git-upgrades",
            Shell::Fish => "git-upgrades.fish",
        }
    }
}

/// Where files go: everything under one data directory (`<prefix>/share`).
#[derive(Debug, Clone)]
pub struct Layout {
    /// `<prefix>/share`, or `$XDG_DATA_HOME` by default.
    pub data_dir: PathBuf,
}

impl Layout {
    /// The user's own data directory: `$XDG_DATA_HOME`, else `~/.local/share`.
    pub fn user_data_dir() -> Option<PathBuf> {
        let xdg = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from);
        // The XDG spec says a relative value is invalid and must be ignored.
        if let Some(dir) = xdg.filter(|d| d.is_absolute()) {
            return Some(dir);
        }
        let home = std::env::var_os("HOME").map(PathBuf::from)?;
        home.is_absolute().then(|| home.join(".local/share"))
    }

    /// The root man searches (`MANPATH` entries name this, not `man1`).
    pub fn man_root(&self) -> PathBuf {
        self.data_dir.join("man")
    }

    /// The directory of section 1 pages.
    pub fn man_dir(&self) -> PathBuf {
        self.man_root().join("man1")
    }

    /// Where `shell` loads the completion from, by default, for a user prefix:
    /// bash-completion's per-user directory, zsh's site-functions (added to
    /// `fpath` by the user), fish's per-user vendor directory.
    pub fn completion_path(&self, shell: Shell) -> PathBuf {
        match shell {
            // git's completion loads `git-upgrades` from here on demand for
            // `git upgrades <TAB>`, and it defines `_git_upgrades`.
            Shell::Bash => self
                .data_dir
                .join("bash-completion/completions/git-upgrades"),
            Shell::Zsh => self.data_dir.join("zsh/site-functions/_git-upgrades"),
            Shell::Fish => self
                .data_dir
                .join("fish/vendor_completions.d/git-upgrades.fish"),
        }
    }
}

/// One file installed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Installed {
    /// Where.
    pub path: PathBuf,
    /// False when the file already had these exact contents.
    pub changed: bool,
}

/// What [`install`] did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every man page, written or already current.
    pub man_pages: Vec<Installed>,
    /// Pages of ours no longer generated (a removed subcommand), deleted.
    pub removed: Vec<PathBuf>,
    /// The completion script per shell.
    pub completions: Vec<(Shell, Installed)>,
}

/// Refuse a `--prefix` that exists and is not a directory (a usage error:
/// the user named a file).
pub fn validate_prefix(prefix: &Path) -> Result<()> {
    if prefix.as_os_str().is_empty() {
        return Err(Error::usage("--prefix is empty"));
    }
    if prefix.exists() && !prefix.is_dir() {
        return Err(Error::usage(format!(
            "--prefix {} is not a directory",
            prefix.display()
        )));
    }
    Ok(())
}

/// Install `man_pages` (file name, contents) and `completions` (shell,
/// contents) under `layout`.
pub fn install(
    layout: &Layout,
    man_pages: &[(String, Vec<u8>)],
    completions: &[(Shell, Vec<u8>)],
) -> Result<Report> {
    // Every directory first, each proven writable, so a bad prefix fails
    // before any file is touched.
    let mut dirs = vec![layout.man_dir()];
    for (shell, _) in completions {
        if let Some(parent) = layout.completion_path(*shell).parent() {
            dirs.push(parent.to_path_buf());
        }
    }
    for dir in &dirs {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write into {}", dir.display()))?;
    }
    let mut report = Report::default();
    let man_dir = layout.man_dir();
    for (name, bytes) in man_pages {
        report
            .man_pages
            .push(write_file(&man_dir.join(name), bytes)?);
    }
    report.removed = remove_stale_pages(&man_dir, man_pages)?;
    for (shell, bytes) in completions {
        let path = layout.completion_path(*shell);
        report.completions.push((*shell, write_file(&path, bytes)?));
    }
    Ok(report)
}

/// Write `bytes` to `path` through a temporary file and a rename; leave a
/// file that already holds them alone.
fn write_file(path: &Path, bytes: &[u8]) -> Result<Installed> {
    if std::fs::read(path).is_ok_and(|have| have == bytes) {
        return Ok(Installed {
            path: path.to_path_buf(),
            changed: false,
        });
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write into {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // Readable by everyone, as installed documentation is (not tempfile's 0600).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
        .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| Error::from_std(format!("cannot install {}", path.display()), &e.error))?;
    Ok(Installed {
        path: path.to_path_buf(),
        changed: true,
    })
}

/// Delete `git-upgrades*.1` pages in `dir` that are not in `pages`.
fn remove_stale_pages(dir: &Path, pages: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name.starts_with("git-upgrades") && name.ends_with(".1");
        if ours && !pages.iter().any(|(p, _)| *p == name) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
            removed.push(entry.path());
        }
    }
    Ok(removed)
}

/// Whether `man` searches `man_root`, from `manpath`'s output; None when
/// `manpath` is not available to ask.
pub fn man_finds(man_root: &Path) -> Option<bool> {
    let out = std::process::Command::new("manpath")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let want = std::fs::canonicalize(man_root).unwrap_or_else(|_| man_root.to_path_buf());
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.trim().split(':').any(|dir| {
        let dir = Path::new(dir);
        dir == want || std::fs::canonicalize(dir).is_ok_and(|d| d == want)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shells_by_path_and_their_locations() {
        assert_eq!(Shell::from_path("/usr/bin/zsh"), Some(Shell::Zsh));
        assert_eq!(Shell::from_path("bash"), Some(Shell::Bash));
        assert_eq!(Shell::from_path("/bin/tcsh"), None);
        let layout = Layout {
            data_dir: PathBuf::from("/p/share"),
        };
        assert_eq!(layout.man_dir(), Path::new("/p/share/man/man1"));
        assert_eq!(
            layout.completion_path(Shell::Bash),
            Path::new("/p/share/bash-completion/completions/git-upgrades")
        );
        assert_eq!(
            layout.completion_path(Shell::Zsh),
            Path::new("/p/share/zsh/site-functions/_git-upgrades")
        );
        assert_eq!(
            layout.completion_path(Shell::Fish),
            Path::new("/p/share/fish/vendor_completions.d/git-upgrades.fish")
        );
    }

    #[test]
    fn install_is_idempotent_and_removes_only_our_stale_pages() {
        let tmp = tempfile::tempdir().unwrap();
        let layout = Layout {
            data_dir: tmp.path().join("share"),
        };
        let pages = vec![("git-upgrades.1".to_string(), b"page".to_vec())];
        let completions = vec![(Shell::Fish, b"complete".to_vec())];
        let first = install(&layout, &pages, &completions).unwrap();
        assert!(first.man_pages[0].changed && first.completions[0].1.changed);
        std::fs::write(layout.man_dir().join("git-upgrades-gone.1"), "old").unwrap();
        std::fs::write(layout.man_dir().join("git.1"), "not ours").unwrap();
        let second = install(&layout, &pages, &completions).unwrap();
        assert!(!second.man_pages[0].changed && !second.completions[0].1.changed);
        assert_eq!(
            second.removed,
            [layout.man_dir().join("git-upgrades-gone.1")]
        );
        assert!(layout.man_dir().join("git.1").exists());
    }
}
