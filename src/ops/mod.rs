//! The lifecycle operations (propose, update, approve/apply, reject, the
//! review conversation), as library
//! functions: plan from the current record, then persist one event with one
//! compare-and-swap transaction, retrying from a fresh read when another
//! writer won the race. No terminal I/O: progress goes through [`Progress`]
//! (from [`crate::testrun`], which the trust engine shares).

mod land;
mod maintain;
mod merge_queue;
mod propose;
mod rebase;
mod reject;
mod review;
mod rollback;
mod update;
mod wait;

pub use crate::config::policy_at;
pub use crate::graph::is_ancestor;
pub use crate::testrun::{run_tests, Progress, Reporter};
pub use land::{
    apply, approve, land, needs_rebase, ApplyRequest, ApproveOutcome, ApproveRequest, LandMode,
};
pub use maintain::{maintain, Action, MaintainRequest};
pub use merge_queue::{apply_all, QueueResult};
pub use propose::{propose, resolve_commit, ProposeRequest, MAX_DESCRIPTION_BYTES};
pub use rebase::{rebase, RebaseOutcome};
pub use reject::{reject, RejectRequest};
pub use review::{
    comment, find_comment, request_changes, resolve, withdraw_request, CommentRequest, Commented,
};
pub use rollback::rollback;
pub use update::{update, UpdateOutcome, UpdateRequest};
pub use wait::{wait, Until, WaitOutcome, WaitRequest};

use gix::ObjectId;

use crate::error::{Error, Kind, Result};
use crate::machine::{self, Facts};
use crate::record::{
    Event, EventKind, Record, RevisionInfo, RevisionKind, TestResult, EVENT_FORMAT,
};
use crate::store::{branch_ref, Store, Upgrade};
use crate::time::rfc3339;

/// How many times a write is retried after losing a compare-and-swap race.
pub const MAX_RETRIES: usize = 8;

/// After losing race number `attempt` (0-based) to another writer: wait a
/// short random time that doubles with each loss (5 ms, 10 ms, … at most
/// 320 ms), so writers that keep meeting spread out instead of meeting
/// again, and return the next attempt's number. Every write loop that
/// re-reads and retries on a conflict goes through here.
pub(crate) fn lost_race(attempt: usize) -> usize {
    let cap_us = 5_000u64 << attempt.min(6);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64)
        ^ (u64::from(std::process::id()) << 20);
    // Half the cap, plus up to another half at random.
    let wait = cap_us / 2 + seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) % (cap_us / 2);
    std::thread::sleep(std::time::Duration::from_micros(wait));
    attempt + 1
}

/// The acting user and the time of the action, fixed once per command.
pub struct Actor {
    /// Signature for event commits (its time honours `GIT_COMMITTER_DATE`).
    pub signature: gix::actor::Signature,
    /// `Name <email>`.
    pub name: String,
    /// Unix seconds of the action.
    pub now: i64,
}

impl Actor {
    /// Who acts through `store`: the identity it was given, else the
    /// current user as git would resolve the committer.
    pub fn of(store: &Store<'_>) -> Result<Actor> {
        let Some((name, email)) = &store.identity else {
            return Actor::current(store.repo);
        };
        let signature = gix::actor::Signature {
            name: name.as_str().into(),
            email: email.as_str().into(),
            // GIT_COMMITTER_DATE still pins the time, as it does for git.
            time: match std::env::var_os("GIT_COMMITTER_DATE") {
                Some(_) => match store.repo.committer() {
                    Some(Ok(sig)) => sig
                        .time()
                        .unwrap_or_else(|_| gix::date::Time::now_local_or_utc()),
                    _ => gix::date::Time::now_local_or_utc(),
                },
                None => gix::date::Time::now_local_or_utc(),
            },
        };
        Ok(Actor {
            name: crate::repo::format_identity(&signature),
            now: signature.time.seconds,
            signature,
        })
    }

    /// The current user, as git would resolve the committer.
    pub fn current(repo: &gix::Repository) -> Result<Actor> {
        let mut signature = crate::repo::identity(repo)?;
        // gix caches the committer time when the repository is opened; unless
        // GIT_COMMITTER_DATE pins it (as it does for git), use the real time now.
        if std::env::var_os("GIT_COMMITTER_DATE").is_none() {
            signature.time = gix::date::Time::now_local_or_utc();
        }
        Ok(Actor {
            name: crate::repo::format_identity(&signature),
            now: signature.time.seconds,
            signature,
        })
    }

    /// The time as RFC 3339.
    pub fn at(&self) -> String {
        rfc3339(self.now)
    }
}

/// Compute the record after `kind`, checking the lifecycle; `edit` fills in
/// event-specific fields. Returns the new record and its event.
pub fn transition(
    current: Option<&Record>,
    kind: EventKind,
    facts: Facts,
    actor: &Actor,
    details: serde_json::Map<String, serde_json::Value>,
    edit: impl FnOnce(&mut Record),
    initial: Option<Record>,
) -> Result<(Record, Event)> {
    let from = current.map(|r| r.state);
    let to = machine::next_state(from, kind, facts).map_err(|refused| {
        let id = current.map(|r| r.id.as_str()).unwrap_or("?");
        Error::failure(format!("upgrade {id}: {refused}"))
    })?;
    let mut record = match (current, initial) {
        (Some(r), _) => r.clone(),
        (None, Some(r)) => r,
        (None, None) => return Err(Error::failure("internal: no record to create")),
    };
    record.state = to;
    record.seq = current.map_or(1, |r| r.seq + 1);
    record.updated_at = actor.at();
    edit(&mut record);
    let event = Event {
        format: EVENT_FORMAT,
        event: kind,
        id: record.id.clone(),
        actor: actor.name.clone(),
        seq: record.seq,
        details,
    };
    Ok((record, event))
}

/// Add the revision an event makes (its head and base are the record's
/// now) to the record; call from a [`transition`] edit, after `seq` is set.
pub(crate) fn push_revision(
    rec: &mut Record,
    actor: &Actor,
    kind: RevisionKind,
    note: Option<String>,
    approvals_kept: bool,
) {
    rec.revisions.push(RevisionInfo {
        number: rec.revisions.len() as u64 + 1,
        head: rec.head.clone(),
        base: rec.base.clone(),
        by: actor.name.clone(),
        at: actor.at(),
        seq: rec.seq,
        kind,
        note,
        stats: rec.stats,
        approvals_kept,
    });
}

/// Mark the open change requests of `who` (same email) cleared, as an
/// approval or withdrawal by them does in the replay.
pub(crate) fn clear_requests(rec: &mut Record, who: &str) {
    let me = crate::repo::email_of(who);
    for c in rec.changes_requested.iter_mut() {
        if crate::repo::email_of(&c.by) == me {
            c.open = false;
        }
    }
}

/// A map of event details from `(key, value)` pairs.
pub fn details<const N: usize>(
    pairs: [(&str, serde_json::Value); N],
) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// The tip of a local branch, or a clear error.
pub fn branch_tip(store: &Store<'_>, branch: &str) -> Result<ObjectId> {
    crate::ids::validate_branch_name(branch)?;
    store.ref_tip(&branch_ref(branch))?.ok_or_else(|| {
        Error::failure(format!("no such target branch {branch:?}"))
            .hint("create it, or name another with --target <branch>")
    })
}

/// The default target: `upgrades.target` from git config, else `main`, else
/// `master`, else the branch HEAD points at; then the policy's `target` key
/// on that branch, if it names another existing branch.
pub fn default_target(store: &Store<'_>) -> Result<String> {
    let repo = store.repo;
    let configured = repo
        .config_snapshot()
        .string("upgrades.target")
        .map(|s| s.to_string());
    let mut candidates: Vec<String> = configured.into_iter().collect();
    candidates.extend(["main".to_string(), "master".to_string()]);
    if let Ok(Some(head)) = crate::refs::head_branch(repo) {
        if let Some(b) = head.strip_prefix("refs/heads/") {
            candidates.push(b.to_string());
        }
    }
    for branch in candidates {
        if crate::ids::validate_branch_name(&branch).is_err() {
            continue;
        }
        let Some(tip) = store.ref_tip(&branch_ref(&branch))? else {
            continue;
        };
        if let Ok(policy) = policy_at(repo, &branch, tip) {
            if let Some(t) = policy.target.filter(|t| t != &branch) {
                if store.ref_tip(&branch_ref(&t))?.is_some() {
                    return Ok(t);
                }
            }
        }
        return Ok(branch);
    }
    Err(
        Error::failure("no target branch: there is no main or master branch")
            .hint("pass --target <branch>, or set it with `git config upgrades.target <branch>`"),
    )
}

/// One event planned from an upgrade as it is now.
pub(crate) struct Planned {
    record: Record,
    event: Event,
    extra: Vec<gix::refs::transaction::RefEdit>,
    subject: Option<String>,
    sign: bool,
}

impl Planned {
    /// An event with the ref edits that must happen with it.
    pub(crate) fn new(
        (record, event): (Record, Event),
        extra: Vec<gix::refs::transaction::RefEdit>,
    ) -> Planned {
        Planned {
            record,
            event,
            extra,
            subject: None,
            sign: false,
        }
    }

    /// The event commit's subject says `subject` instead of the description.
    pub(crate) fn with_subject(mut self, subject: String) -> Planned {
        self.subject = Some(subject);
        self
    }

    /// Sign the event commit (git's signing set-up).
    pub(crate) fn signed(mut self, sign: bool) -> Planned {
        self.sign = sign;
        self
    }
}

/// Run one read, plan and write (`attempt`, given its number from 0) until
/// it does not lose a race: a write another writer beat
/// ([`Error::is_lost_race`], from `Store::append` and `Store::transaction`)
/// is tried again from a fresh read after [`lost_race`]'s pause, at most
/// [`MAX_RETRIES`] times. From the third attempt on, the whole attempt runs
/// under the write lock, so a busy upgrade (many commenting at once) cannot
/// starve a writer. Every other error, including a conflict the plan found
/// itself, ends the loop. Every write loop of the lifecycle goes through here.
pub(crate) fn retrying<T>(
    store: &Store<'_>,
    mut attempt: impl FnMut(usize) -> Result<T>,
) -> Result<T> {
    let mut n = 0;
    loop {
        let _turn = if n >= 2 {
            Some(store.hold_write_lock()?)
        } else {
            None
        };
        match attempt(n) {
            Err(e) if e.is_lost_race() && n < MAX_RETRIES => n = lost_race(n),
            done => return done,
        }
    }
}

/// Append the event `plan` computes from the upgrade as it is now; when
/// another writer wins the race, read it again and plan again (see
/// [`retrying`]). A plan refused after a lost race is a conflict (exit 4):
/// what it refuses is what the winner wrote.
pub(crate) fn append_retrying(
    store: &Store<'_>,
    id: &str,
    signature: &gix::actor::Signature,
    mut plan: impl FnMut(&Upgrade) -> Result<Planned>,
) -> Result<Upgrade> {
    retrying(store, |attempt| {
        let up = store.load(id)?;
        let p = plan(&up).map_err(|mut e| {
            if attempt > 0 && e.kind == Kind::Failure {
                e.kind = Kind::Conflict;
            }
            e
        })?;
        let append = crate::store::Append {
            subject: p.subject.as_deref(),
            sign: p.sign,
            ..crate::store::Append::event(&p.record, &p.event, up.tip, signature, p.extra)
        };
        let tip = store.append(append)?;
        Ok(Upgrade {
            id: id.to_string(),
            tip,
            record: p.record,
        })
    })
}

/// Record a test result as an `upgrade.tested` event, retrying on races.
pub fn record_tests(
    store: &Store<'_>,
    id: &str,
    actor: &Actor,
    result: &TestResult,
) -> Result<Upgrade> {
    append_retrying(store, id, &actor.signature, |up| {
        if up.record.head != result.commit {
            return Err(Error::conflict(format!(
                "upgrade {id} changed its head while its tests ran"
            )));
        }
        let d = details([
            ("status", result.status.clone().into()),
            (
                "exit_code",
                result
                    .exit_code
                    .map(serde_json::Value::from)
                    .unwrap_or_default(),
            ),
            ("duration_ms", result.duration_ms.into()),
            ("commit", result.commit.clone().into()),
        ]);
        let planned = transition(
            Some(&up.record),
            EventKind::Tested,
            Facts::default(),
            actor,
            d,
            |r| r.tests = Some(result.clone()),
            None,
        )?;
        Ok(Planned::new(planned, vec![]))
    })
}
