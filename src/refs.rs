//! Reading refs in both of git's ref formats.
//!
//! gix reads and writes the `files` format (loose refs and `packed-refs`)
//! and is used for it: it costs no process. It cannot read the `reftable`
//! format (`git init --ref-format=reftable`, the default of git's next major
//! version), where it would see no refs at all and write loose ones git never
//! reads. In such a repository every ref read here goes through git itself
//! (`for-each-ref`, `symbolic-ref`, `rev-parse`, `worktree list`), and every
//! ref write through `git update-ref --stdin` (see `Store::transaction`).
//! Objects are read through gix in both formats.

use std::path::PathBuf;

use gix::bstr::ByteSlice;
use gix::ObjectId;

use crate::error::{Error, Result};
use crate::repo;

/// True if the repository stores its refs as reftable (or any format gix
/// cannot read), so refs must be read and written through git.
pub fn through_git(repo: &gix::Repository) -> bool {
    repo.config_snapshot()
        .string("extensions.refStorage")
        .is_some_and(|s| !s.to_str_lossy().eq_ignore_ascii_case("files"))
}

/// One ref of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its full name (`refs/…`).
    pub name: String,
    /// What it points at, or None for a symbolic ref.
    pub target: Option<ObjectId>,
}

/// Every ref whose full name starts with `prefix` (a plain string prefix,
/// which may end inside a path component), sorted by name. A ref that cannot
/// be read is an `Err` entry with its name, so one damaged ref does not hide
/// the others.
pub fn under(
    repo: &gix::Repository,
    prefix: &str,
) -> Result<Vec<std::result::Result<Listed, (String, Error)>>> {
    if through_git(repo) {
        let dir = match prefix.rfind('/') {
            Some(i) => &prefix[..=i],
            None => "",
        };
        let listed = git_list(repo, dir)?;
        return Ok(listed
            .into_iter()
            .filter(|l| l.name.starts_with(prefix))
            .map(Ok)
            .collect());
    }
    let mut out = Vec::new();
    let platform = repo
        .references()
        .map_err(|e| Error::from_std("cannot read refs", &e))?;
    let iter = platform
        .prefixed(prefix)
        .map_err(|e| Error::from_std(format!("cannot read refs under {prefix}"), &e))?;
    for r in iter {
        match r {
            Ok(r) => out.push(Ok(Listed {
                name: r.name().as_bstr().to_str_lossy().into_owned(),
                target: r.target().try_id().map(ToOwned::to_owned),
            })),
            Err(e) => out.push(Err((
                "?".to_string(),
                Error::failure(format!("unreadable ref: {e}")),
            ))),
        }
    }
    Ok(out)
}

/// [`under`], keeping only refs that point at an object, as (full name, target).
pub fn tips_under(repo: &gix::Repository, prefix: &str) -> Result<Vec<(String, ObjectId)>> {
    let mut out = Vec::new();
    for r in under(repo, prefix)? {
        match r {
            Ok(Listed {
                name,
                target: Some(t),
            }) => out.push((name, t)),
            Ok(_) => {}
            Err((_, e)) => return Err(e.context(format!("cannot read refs under {prefix}"))),
        }
    }
    Ok(out)
}

/// What the ref `name` (a full name) points at; None if it does not exist
/// or is symbolic.
pub fn tip(repo: &gix::Repository, name: &str) -> Result<Option<ObjectId>> {
    if through_git(repo) {
        // git matches a pattern as the ref itself or a directory of refs.
        return Ok(git_list(repo, name)?
            .into_iter()
            .find(|l| l.name == name)
            .and_then(|l| l.target));
    }
    Ok(repo
        .try_find_reference(name)
        .map_err(|e| Error::from_std(format!("cannot read {name}"), &e))?
        .and_then(|r| r.target().try_id().map(ToOwned::to_owned)))
}

/// The full name of the branch HEAD points at (`refs/heads/…`), or None when
/// HEAD is detached.
pub fn head_branch(repo: &gix::Repository) -> Result<Option<String>> {
    if through_git(repo) {
        let mut cmd = repo::git(repo);
        cmd.args(["symbolic-ref", "-q", "HEAD"]);
        let out = cmd
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .map_err(|e| Error::from_std("cannot run git to read HEAD", &e))?;
        let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
        return Ok((out.status.success() && !name.is_empty()).then_some(name));
    }
    Ok(repo
        .head_name()
        .map_err(|e| Error::from_std("cannot read HEAD", &e))?
        .map(|n| n.as_bstr().to_str_lossy().into_owned()))
}

/// The commit HEAD points at; None on an unborn branch.
pub fn head_commit(repo: &gix::Repository) -> Result<Option<ObjectId>> {
    if through_git(repo) {
        return git_rev_parse(repo, "HEAD^{commit}");
    }
    Ok(repo.head_id().ok().map(|id| id.detach()))
}

/// Resolve a revision the way `git rev-parse --verify <rev>` does. Used in
/// a repository whose refs gix cannot read. `None` when git finds nothing.
pub fn git_rev_parse(repo: &gix::Repository, rev: &str) -> Result<Option<ObjectId>> {
    let mut cmd = repo::git(repo);
    cmd.args(["rev-parse", "--verify", "--quiet", "--end-of-options", rev]);
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::from_std("cannot run git rev-parse", &e))?;
    if !out.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse::<ObjectId>()
        .map(Some)
        .map_err(|_| Error::failure(format!("git rev-parse printed {:?}", text.trim())))
}

/// True when `rev` is a short object id that more than one object starts
/// with (`git rev-parse --disambiguate` lists them all).
pub fn git_prefix_is_ambiguous(repo: &gix::Repository, rev: &str) -> bool {
    if rev.len() < 4 || !rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let mut cmd = repo::git(repo);
    cmd.arg("rev-parse").arg(format!("--disambiguate={rev}"));
    repo::run_git(cmd, "list the objects a short id names")
        .map(|out| out.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() > 1)
        .unwrap_or(false)
}

/// Every worktree of the repository (main and linked) with a working
/// directory, and the full name of the branch checked out there (None when
/// detached), as `git worktree list` reports them.
pub fn git_worktree_heads(repo: &gix::Repository) -> Result<Vec<(PathBuf, Option<String>)>> {
    let mut cmd = repo::git(repo);
    cmd.args(["worktree", "list", "--porcelain", "-z"]);
    let out = repo::run_git(cmd, "list the worktrees")?;
    let mut result = Vec::new();
    let mut dir: Option<PathBuf> = None;
    let mut branch: Option<String> = None;
    let mut bare = false;
    let mut flush = |dir: &mut Option<PathBuf>, branch: &mut Option<String>, bare: &mut bool| {
        if let Some(d) = dir.take() {
            if !*bare {
                result.push((d, branch.take()));
            }
        }
        *branch = None;
        *bare = false;
    };
    for field in out.split(|b| *b == 0) {
        let field = String::from_utf8_lossy(field);
        if field.is_empty() {
            flush(&mut dir, &mut branch, &mut bare);
        } else if let Some(path) = field.strip_prefix("worktree ") {
            flush(&mut dir, &mut branch, &mut bare);
            dir = Some(PathBuf::from(path));
        } else if let Some(name) = field.strip_prefix("branch ") {
            branch = Some(name.to_string());
        } else if field == "bare" {
            bare = true;
        }
    }
    flush(&mut dir, &mut branch, &mut bare);
    Ok(result)
}

/// `git for-each-ref <pattern>`: git matches whole path components (the
/// ref named `pattern`, or the refs below it); an empty pattern lists all.
fn git_list(repo: &gix::Repository, pattern: &str) -> Result<Vec<Listed>> {
    let mut cmd = repo::git(repo);
    cmd.args([
        "for-each-ref",
        "--format=%(objectname)%00%(symref)%00%(refname)",
    ]);
    if !pattern.is_empty() {
        cmd.arg("--end-of-options").arg(pattern);
    }
    let out = repo::run_git(cmd, "read refs")?;
    let mut listed = Vec::new();
    for line in out.split(|b| *b == b'\n') {
        if line.is_empty() {
            continue;
        }
        let mut fields = line.splitn(3, |b| *b == 0);
        let (Some(id), Some(symref), Some(name)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let name = String::from_utf8_lossy(name).into_owned();
        let target = if symref.is_empty() {
            std::str::from_utf8(id)
                .ok()
                .and_then(|s| s.parse::<ObjectId>().ok())
        } else {
            None
        };
        listed.push(Listed { name, target });
    }
    Ok(listed)
}
