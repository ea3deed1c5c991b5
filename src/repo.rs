//! Opening the repository the way git does, and the facts every command needs
//! from it: identity, the git executable, and refusing repositories whose
//! ref storage is unknown.

use std::path::PathBuf;
use std::process::Command;

use gix::bstr::ByteSlice;

use crate::error::{Context, Error, Result};

/// Open the repository for the current directory, honouring `GIT_DIR`,
/// `GIT_WORK_TREE` and the rest of git's environment, bare repositories and
/// linked worktrees.
pub fn open() -> Result<gix::Repository> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    open_at(&cwd)
}

/// Like [`open`], from `dir` instead of the current directory.
pub fn open_at(dir: &std::path::Path) -> Result<gix::Repository> {
    let mut repo = gix::discover_with_environment_overrides(dir).map_err(|e| {
        Error::from_std(
            "not a git repository (or any of the parent directories)",
            &e,
        )
        .hint("run this inside a git repository, or pass -C <path>")
    })?;
    tune(&mut repo);
    check_ref_storage(&repo)?;
    check_bare_allowed(&repo, dir)?;
    Ok(repo)
}

/// A bare repository found by searching from the current directory (not
/// named by `GIT_DIR`, as git names it for hooks) is used only if git itself
/// would use it: with `safe.bareRepository=explicit`, git refuses, so that a
/// bare repository embedded in a checkout cannot run its own configuration.
/// git is asked (one process, only in this rare case), so every source of
/// that setting counts exactly as git counts it.
fn check_bare_allowed(repo: &gix::Repository, dir: &std::path::Path) -> Result<()> {
    if repo.workdir().is_some() || std::env::var_os("GIT_DIR").is_some() {
        return Ok(());
    }
    let mut cmd = git_command();
    cmd.current_dir(dir).args(["rev-parse", "--git-dir"]);
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .context("cannot run git to open the repository")?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let why = stderr
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_start_matches("fatal: ")
        .to_string();
    Err(Error::usage(format!(
        "git refuses this bare repository: {}",
        crate::record::sanitize_line(&why, 200)
    ))
    .hint(format!(
        "name it explicitly: git --git-dir={} upgrades …",
        repo.git_dir().display()
    )))
}

/// Object caches sized for reading many small records.
pub fn tune(repo: &mut gix::Repository) {
    repo.object_cache_size_if_unset(1 << 20);
    // Records are similar blobs, so packs store them as long delta chains; a
    // memory-capped cache of delta bases saves re-inflating each chain.
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            6 << 20,
        ))
    });
}

/// Refuse a ref storage format neither gix nor this tool's use of git knows
/// (refs in `files` are read by gix, in `reftable` through git: see
/// [`crate::refs`]), before anything is written.
pub fn check_ref_storage(repo: &gix::Repository) -> Result<()> {
    let config = repo.config_snapshot();
    if let Some(storage) = config.string("extensions.refStorage") {
        let storage = storage.to_str_lossy().to_ascii_lowercase();
        if storage != "files" && storage != "reftable" {
            return Err(Error::failure(format!(
                "this repository stores refs as {storage:?}, which git-upgrades does not know"
            ))
            .hint("use a repository with the 'files' or 'reftable' ref format"));
        }
    }
    Ok(())
}

/// `Name <email>` of the current user, resolved as git does for committers.
pub fn identity(repo: &gix::Repository) -> Result<gix::actor::Signature> {
    match repo.committer() {
        Some(Ok(sig)) => {
            let mut sig: gix::actor::Signature = sig.into();
            match identity_from_git(repo) {
                Some((name, email)) => {
                    sig.name = name.into();
                    sig.email = email.into();
                }
                None => return Err(no_identity()),
            }
            if sig.name.trim().is_empty() && sig.email.trim().is_empty() {
                return Err(no_identity());
            }
            Ok(sig)
        }
        Some(Err(e)) => Err(Error::from_std("invalid GIT_COMMITTER_DATE", &e)),
        None => Err(no_identity()),
    }
}

/// The current user's email for read-only uses that must not start a
/// process or load the time-zone database (the prompt badge), in git's
/// order for committers: `GIT_COMMITTER_EMAIL`, `user.email`, `EMAIL`. When
/// git passed configuration of its own (`git -c`), git is asked.
pub fn email_without_spawning(repo: &gix::Repository) -> Option<String> {
    if std::env::var_os("GIT_CONFIG_PARAMETERS").is_some()
        || std::env::var_os("GIT_CONFIG_COUNT").is_some()
    {
        return identity(repo).ok().map(|s| s.email.to_string());
    }
    std::env::var("GIT_COMMITTER_EMAIL")
        .ok()
        .or_else(|| {
            repo.config_snapshot()
                .string("user.email")
                .map(|e| e.to_string())
        })
        .or_else(|| std::env::var("EMAIL").ok())
}

/// Who git says the committer is (`git var GIT_COMMITTER_IDENT`). gix reads
/// neither the configuration git passes to external commands (`git -c
/// user.email=…` arrives in `GIT_CONFIG_PARAMETERS`, and
/// `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n`) nor every conditional include, so
/// git itself is asked: identity is exactly what git would record (a few
/// milliseconds, paid only by commands that write). None when git knows no
/// identity.
fn identity_from_git(repo: &gix::Repository) -> Option<(String, String)> {
    let mut cmd = git(repo);
    cmd.args(["var", "GIT_COMMITTER_IDENT"]);
    let out = run_git(cmd, "read the committer identity").ok()?;
    let text = String::from_utf8_lossy(&out);
    let (name, rest) = text.trim().split_once(" <")?;
    let (email, _) = rest.split_once('>')?;
    Some((name.to_string(), email.to_string()))
}

fn no_identity() -> Error {
    Error::failure("unknown identity: git-upgrades records who did what, as git does for commits")
        .hint(
        "set it with: git config user.name \"Your Name\" && git config user.email you@example.com",
    )
}

/// Render a signature as `Name <email>` (control characters removed).
pub fn format_identity(sig: &gix::actor::Signature) -> String {
    let clean = |b: &gix::bstr::BStr| -> String {
        b.to_str_lossy()
            .chars()
            .filter(|c| !c.is_control() && *c != '<' && *c != '>')
            .collect::<String>()
            .trim()
            .to_string()
    };
    format!(
        "{} <{}>",
        clean(sig.name.as_ref()),
        clean(sig.email.as_ref())
    )
}

/// The email part of `Name <email>`, lower-cased, for comparisons.
pub fn email_of(identity: &str) -> String {
    identity
        .rsplit_once('<')
        .and_then(|(_, rest)| rest.strip_suffix('>'))
        .unwrap_or(identity)
        .trim()
        .to_ascii_lowercase()
}

/// A `git` command for this repository. Used only where gix cannot do the job
/// (transport, updating a checked-out worktree); never with a shell.
pub fn git(repo: &gix::Repository) -> Command {
    let mut cmd = git_command();
    cmd.arg("--git-dir").arg(repo.git_dir());
    cmd
}

/// [`git`] that finishes once begun even if this process dies
/// ([`git_command_outliving`]).
pub fn git_outliving(repo: &gix::Repository) -> Command {
    let mut cmd = git_command_outliving();
    cmd.arg("--git-dir").arg(repo.git_dir());
    cmd
}

/// A `git` command with git's repository-selecting environment removed.
///
/// On Linux the child asks the kernel for SIGTERM when its parent dies
/// (`PR_SET_PDEATHSIG`), so a `git fetch` or `git push` never outlives a
/// killed `git upgrades`; git removes its lock files on SIGTERM. The signal is
/// tied to the spawning thread: spawn git only from threads that outlive it.
pub fn git_command() -> Command {
    let mut cmd = git_in_no_other_repository();
    die_with_parent(&mut cmd);
    cmd
}

/// [`git_command`] for work that must finish once begun even if this
/// process dies (updating a worktree after its branch moved): git runs in a
/// process group of its own, so no signal or kill aimed at ours stops it.
pub fn git_command_outliving() -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = git_in_no_other_repository();
    cmd.process_group(0);
    cmd
}

/// `git`, without the variables that would point it at another repository
/// than the one its arguments name.
fn git_in_no_other_repository() -> Command {
    let mut cmd = Command::new("git");
    for var in GIT_LOCATION_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// The variables that would point a git child at another repository than
/// the one its arguments name.
const GIT_LOCATION_VARS: [&str; 5] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
];

/// Make `cmd`'s process receive SIGTERM when this process dies (Linux).
#[cfg(target_os = "linux")]
pub fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id();
    // SAFETY: the closure runs in the forked child before exec and only makes
    // async-signal-safe system calls (prctl, getppid); it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect: then the
            // child was re-parented already and must not run on.
            if libc::getppid() as u32 != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

/// Elsewhere there is no such facility; git children may outlive us.
#[cfg(not(target_os = "linux"))]
pub fn die_with_parent(_cmd: &mut Command) {}

/// Run a prepared git command; return stdout, or an error with git's stderr.
pub fn run_git(mut cmd: Command, what: &str) -> Result<Vec<u8>> {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("cannot run git to {what}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        return Err(Error::failure(format!("git failed to {what}: {first}")));
    }
    Ok(out.stdout)
}

/// The directory for the tool's private scratch files inside the git directory
/// (shared between linked worktrees): `<common-dir>/upgrades/`.
pub fn private_dir(repo: &gix::Repository) -> PathBuf {
    repo.common_dir().join("upgrades")
}
