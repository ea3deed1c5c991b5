//! `propose`: snapshot a commit under the upgrade's own ref with its record,
//! then (optionally) run the tests and record the result.

use gix::ObjectId;

use super::{
    branch_tip, default_target, details, policy_at, record_tests, run_tests, transition, Actor,
    Reporter,
};
use crate::diff;
use crate::error::{Error, Result};
use crate::ids::{generate_id, validate_id};
use crate::machine::Facts;
use crate::record::{EventKind, Record, RevisionInfo, RevisionKind, State, RECORD_FORMAT};
use crate::store::{open_ref, proposals, update, Append, Store, Upgrade};

/// The longest description accepted.
pub const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;
/// Lines of unified diff kept in the record's preview.
pub const PREVIEW_LINES: usize = 60;

/// What a proposed head changes, as recorded with it (propose and update).
pub(super) struct Measured {
    pub files: Vec<crate::record::FileChange>,
    pub stats: crate::record::DiffStats,
    pub preview: String,
    pub policy_change: bool,
}

/// Measure the change `base_tree -> head_tree` under `policy`: refused (exit
/// 5) when larger than `policy.max_diff_lines`.
pub(super) fn measure(
    repo: &gix::Repository,
    policy: &crate::config::Policy,
    base_tree: ObjectId,
    head_tree: ObjectId,
) -> Result<Measured> {
    let changes = diff::changed_paths(repo, base_tree, head_tree)?;
    let (files, stats) = diff::file_stats(repo, &changes)?;
    if stats.changed_lines() > policy.max_diff_lines {
        return Err(Error::denied(format!(
            "the change is too large: {} (+{} -{} in {}), the limit is {}",
            crate::text::plural(stats.changed_lines(), "changed line"),
            stats.added,
            stats.removed,
            crate::text::plural(stats.files, "file"),
            policy.max_diff_lines
        ))
        .hint("split it into smaller upgrades, or raise policy.max_diff_lines on the target"));
    }
    let preview = diff::preview(repo, &changes, PREVIEW_LINES)?;
    let policy_change = files.iter().any(|f| policy.is_protected(&f.path));
    Ok(Measured {
        files,
        stats,
        preview,
        policy_change,
    })
}

/// What to propose.
#[derive(Debug, Clone, Default)]
pub struct ProposeRequest {
    /// The revision to propose (default `HEAD`).
    pub rev: Option<String>,
    /// What the change does.
    pub description: String,
    /// A chosen id (default: generated).
    pub id: Option<String>,
    /// Target branch (default: configured or detected).
    pub target: Option<String>,
    /// Run the tests after recording the proposal.
    pub run_tests: bool,
    /// Propose the working tree's uncommitted changes (as a new commit on top of HEAD).
    pub from_worktree: bool,
}

/// Propose `req.rev` for `req.target`. Returns the upgrade as stored last.
pub fn propose(
    store: &Store<'_>,
    req: &ProposeRequest,
    reporter: &mut dyn Reporter,
) -> Result<Upgrade> {
    let repo = store.repo;
    let description = req.description.trim().to_string();
    if description.is_empty() {
        return Err(Error::usage("the description is empty")
            .hint("say what the change does with -m <text>"));
    }
    if description.len() > MAX_DESCRIPTION_BYTES {
        return Err(Error::usage(format!(
            "the description is {} bytes; at most {MAX_DESCRIPTION_BYTES} are allowed",
            description.len()
        )));
    }
    if let Some(id) = &req.id {
        validate_id(id)?;
    }
    let (rev, head) = if req.from_worktree {
        (
            "working tree".to_string(),
            commit_worktree(repo, &description)?,
        )
    } else {
        let rev = req.rev.clone().unwrap_or_else(|| "HEAD".to_string());
        let head = resolve_commit(repo, &rev)?;
        (rev, head)
    };
    let target = match &req.target {
        Some(t) => t.clone(),
        None => default_target(store)?,
    };
    let target_tip = branch_tip(store, &target)?;
    let policy = policy_at(repo, &target, target_tip)?;

    if head == target_tip {
        return Err(
            Error::usage(format!("nothing to propose: {rev} is the tip of {target}"))
                .hint("commit the change on a branch, then propose that branch"),
        );
    }
    let base = repo
        .merge_base(head, target_tip)
        .map_err(|e| Error::from_std("cannot compute the merge base", &e))?
        .map(|id| id.detach())
        .ok_or_else(|| Error::usage(format!("{rev} has no history in common with {target}")))?;
    if base == head {
        return Err(Error::usage(format!(
            "nothing to propose: {rev} is already part of {target}"
        )));
    }

    let base_tree = repo.find_commit(base)?.tree_id()?.detach();
    let head_tree = repo.find_commit(head)?.tree_id()?.detach();
    let key = proposals::key(repo, &target, base, head_tree);
    if let Some(existing) = pending_duplicate(store, &key, &target, base) {
        return Err(Error::usage(format!(
            "nothing to propose: upgrade {existing} already proposes this change (the same files on the same base, for {target})"
        ))
        .hint(format!(
            "`git upgrades show {existing}` shows it; reject it first to propose the change again"
        )));
    }
    let Measured {
        files,
        stats,
        preview,
        policy_change,
    } = measure(repo, &policy, base_tree, head_tree)?;
    let actor = Actor::of(store)?;

    let created = super::retrying(store, |attempt| {
        let id = match &req.id {
            Some(id) => id.clone(),
            None => generate_id(&format!("{head}{description}{attempt}")),
        };
        let initial = Record {
            format: RECORD_FORMAT,
            id: id.clone(),
            state: State::Proposed,
            description: description.clone(),
            target: target.clone(),
            base: base.to_string(),
            head: head.to_string(),
            source: Some(rev.clone()),
            proposed_by: actor.name.clone(),
            proposed_at: actor.at(),
            files: files.clone(),
            stats,
            diff_preview: preview.clone(),
            policy_change,
            tests: None,
            approvals: Vec::new(),
            closed: None,
            landing: None,
            urgent: None,
            updated_at: actor.at(),
            seq: 0,
            revisions: vec![RevisionInfo {
                number: 1,
                head: head.to_string(),
                base: base.to_string(),
                by: actor.name.clone(),
                at: actor.at(),
                seq: 1,
                kind: RevisionKind::Proposed,
                note: None,
                stats,
                approvals_kept: false,
            }],
            changes_requested: Vec::new(),
            comment_count: 0,
            unresolved_comments: 0,
        };
        let d = details([
            ("target", target.clone().into()),
            ("base", base.to_string().into()),
            ("head", head.to_string().into()),
            ("files", stats.files.into()),
            ("added", stats.added.into()),
            ("removed", stats.removed.into()),
            ("policy_change", policy_change.into()),
        ]);
        let (record, event) = transition(
            None,
            EventKind::Proposed,
            Facts::default(),
            &actor,
            d,
            |_| {},
            Some(initial),
        )?;
        let open = update(
            &open_ref(&id),
            gix::refs::transaction::PreviousValue::MustNotExist,
            head,
            "upgrade.proposed",
        )?;
        let written = store.append(Append {
            record: &record,
            event: &event,
            previous_tip: None,
            merge_parent: None,
            extra: vec![open],
            signature: &actor.signature,
            sign: false,
            check_signed: None,
            labels: &[],
            subject: None,
        });
        match written {
            Ok(tip) => Ok(Upgrade { id, tip, record }),
            // A generated id is generated again; a chosen one is taken.
            Err(e) if e.is_lost_race() && req.id.is_some() => Err(Error::conflict(format!(
                "an upgrade with id {id:?} already exists"
            ))
            .hint("choose another --id, or leave it out to get a generated one")),
            Err(e) => Err(e),
        }
    })?;

    proposals::remember(repo, &key, &created.id);
    if !req.run_tests {
        return Ok(created);
    }
    let result = run_tests(
        repo,
        &policy,
        &created.id,
        &created.record.target,
        head,
        reporter,
        &crate::time::now_unix,
    )?;
    let tester = Actor::of(store)?;
    record_tests(store, &created.id, &tester, &result)
}

/// The open upgrade that already proposes the change `key` (its target,
/// base and head tree), found through the proposals index and checked
/// against the upgrade's own refs; a stale entry is dropped.
fn pending_duplicate(store: &Store<'_>, key: &str, target: &str, base: ObjectId) -> Option<String> {
    let repo = store.repo;
    let id = proposals::recall(repo, key)?;
    let same = store.load(&id).ok().filter(|up| {
        let r = &up.record;
        r.state.is_open()
            && r.target == target
            && r.base.parse::<ObjectId>().ok() == Some(base)
            && proposals::key_of(repo, &r.target, &r.base, &r.head).as_deref() == Some(key)
    });
    if same.is_none() {
        proposals::forget(repo, key);
    }
    same.map(|up| up.id)
}

/// Snapshot the working tree (tracked and untracked files, honouring
/// .gitignore) as a commit on top of HEAD, through a temporary index so that
/// the user's index and files are left exactly as they are.
pub(crate) fn commit_worktree(repo: &gix::Repository, description: &str) -> Result<ObjectId> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::usage("--worktree needs a working tree; this repository is bare"))?
        .to_path_buf();
    let head = resolve_commit(repo, "HEAD")?;
    let index = tempfile::Builder::new()
        .prefix("git-upgrades-index-")
        .tempfile()
        .map_err(|e| Error::from_std("cannot create a temporary index", &e))?;
    let real_index = repo.index_path();
    if real_index.exists() {
        std::fs::copy(&real_index, index.path())
            .map_err(|e| Error::from_std("cannot copy the index", &e))?;
    }
    let git = |args: &[&str]| -> Result<String> {
        let mut cmd = crate::repo::git(repo);
        cmd.arg("--work-tree")
            .arg(&workdir)
            .current_dir(&workdir)
            .args(args)
            .env("GIT_INDEX_FILE", index.path());
        Ok(
            String::from_utf8_lossy(&crate::repo::run_git(cmd, "snapshot the working tree")?)
                .trim()
                .to_string(),
        )
    };
    git(&["add", "-A"])?;
    let tree = git(&["write-tree"])?;
    if tree.parse::<ObjectId>().ok() == Some(repo.find_commit(head)?.tree_id()?.detach()) {
        return Err(Error::usage(
            "nothing to propose: the working tree has no uncommitted changes",
        )
        .hint("name a commit or branch to propose instead"));
    }
    let message = format!("{}\n", description.trim());
    let commit = git(&[
        "commit-tree",
        &tree,
        "-p",
        &head.to_string(),
        "-m",
        &message,
    ])?;
    commit
        .parse()
        .map_err(|_| Error::failure("git commit-tree printed no commit id"))
}

/// Resolve a revision to a commit id, as `git rev-parse <rev>^{commit}` would.
/// A revision that names nothing, or not a commit, is a usage error (exit 2)
/// in one line naming it; gix's own wording is left out, as git leaves out
/// how it searched.
pub fn resolve_commit(repo: &gix::Repository, rev: &str) -> Result<ObjectId> {
    let shown = crate::record::sanitize_line(rev, 100);
    if rev.starts_with('-') {
        return Err(Error::usage(format!("invalid revision {shown:?}")));
    }
    let found = if crate::refs::through_git(repo) {
        // gix cannot read this repository's refs: git resolves the name.
        match crate::refs::git_rev_parse(repo, rev)? {
            Some(id) => Ok(repo.find_object(id).ok()),
            None if crate::refs::git_prefix_is_ambiguous(repo, rev) => Err(Unresolved::Ambiguous),
            None => Ok(None),
        }
    } else {
        repo.rev_parse_single(rev)
            .map(|id| id.object().ok())
            .map_err(|e| {
                use gix::revision::spec::parse::Error as Parse;
                match e.downcast_any_ref::<Parse>() {
                    Some(Parse::AmbiguousPrefix { .. } | Parse::AmbiguousRefAndObject { .. }) => {
                        Unresolved::Ambiguous
                    }
                    _ => Unresolved::Unknown,
                }
            })
    };
    let object = match found {
        Ok(Some(object)) => object,
        Ok(None) | Err(Unresolved::Unknown) => {
            return Err(Error::usage(format!("unknown revision {shown:?}"))
                .hint("name a commit, branch or tag, as `git rev-parse` accepts"))
        }
        Err(Unresolved::Ambiguous) => {
            return Err(Error::usage(format!("ambiguous revision {shown:?}"))
                .hint("type more characters of the commit id, or name a branch or tag"))
        }
    };
    let kind = object.kind;
    let commit = object.peel_to_commit().map_err(|_| {
        Error::usage(format!("{shown:?} is not a commit (it names a {kind})"))
            .hint("name a commit, branch or tag")
    })?;
    Ok(commit.id)
}

/// Why a revision resolved to nothing. gix's or git's wording is left out
/// of the error, as git leaves out how it searched.
enum Unresolved {
    /// A short id more than one object starts with.
    Ambiguous,
    /// Anything else.
    Unknown,
}
