//! `maintain`: the policy's scheduled actions, for cron and CI. Expires old
//! proposals, auto-approves and lands low-risk ones (never policy changes),
//! and prunes closed upgrades past `prune_after`. Every action except prune
//! is an event with the actor `policy`; prune deletes the upgrade's refs.
//! "Now" is the committer date, so `GIT_COMMITTER_DATE` controls it.

use std::collections::HashMap;

use gix::refs::transaction::PreviousValue;
use gix::refs::Target;
use gix::ObjectId;

use super::land::{land, ApproveOutcome, LandMode};
use super::{append_retrying, Planned};
use super::{branch_tip, details, policy_at, transition, Actor, Reporter};
use crate::config::Policy;
use crate::error::{Error, Result};
use crate::machine::Facts;
use crate::record::{Approval, Closure, EventKind, State};
use crate::replay::{History, POLICY_ACTOR};
use crate::store::close_refs;
use crate::store::{archive_ref, delete_if_present, notes_ref, open_ref, Store, Upgrade};
use crate::trust;

/// Options for one run.
#[derive(Debug, Clone, Default)]
pub struct MaintainRequest {
    /// Only report what would be done.
    pub dry_run: bool,
}

/// One thing maintain did (or would do).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Action {
    /// The upgrade.
    pub id: String,
    /// `expired`, `auto-approved`, `applied`, `failed`, `pruned`, `skipped` or `error`.
    pub action: String,
    /// Why, or what happened.
    pub detail: String,
}

fn act(id: &str, action: &str, detail: impl Into<String>) -> Action {
    Action {
        id: id.to_string(),
        action: action.into(),
        detail: detail.into(),
    }
}

/// Run the scheduled policy actions over the whole queue.
pub fn maintain(
    store: &Store<'_>,
    req: &MaintainRequest,
    reporter: &mut dyn Reporter,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Vec<Action>> {
    let repo = store.repo;
    let mut actor = Actor::of(store).or_else(|_| fallback_actor())?;
    actor.name = POLICY_ACTOR.to_string();
    let now = actor.now;
    let mut policies: HashMap<String, std::result::Result<(Policy, ObjectId), String>> =
        HashMap::new();
    let mut actions = Vec::new();
    // One upgrade in memory at a time: the queue can hold 100,000.
    let all = store.iter_full()?;
    let mut seen = FirstSeen::read(repo, now);
    let total = all.len();
    for (n, item) in all.enumerate() {
        progress(
            n,
            total,
            item.as_ref().map(|(u, _)| u.id.as_str()).unwrap_or("?"),
        );
        let (up, history) = match item {
            Ok(both) => both,
            Err((id, e)) => {
                actions.push(act(&id, "error", e.to_string()));
                continue;
            }
        };
        let r = &up.record;
        let policy = policies
            .entry(r.target.clone())
            .or_insert_with(|| {
                let tip = branch_tip(store, &r.target).map_err(|e| e.to_string())?;
                policy_at(repo, &r.target, tip)
                    .map(|p| (p, tip))
                    .map_err(|e| e.to_string())
            })
            .clone();
        let (policy, _tip) = match policy {
            Ok(p) => p,
            Err(e) => {
                if r.state.is_open() {
                    actions.push(act(&up.id, "skipped", e));
                }
                continue;
            }
        };
        // Ages come from the replayed events, not from the record's claims.
        let age = |t: i64| now.saturating_sub(t);
        if history.state == State::Proposed
            && age(history.proposed_at) > secs(policy.expire_after_secs)
        {
            let detail = format!("proposed more than {} ago", human(policy.expire_after_secs));
            if !req.dry_run {
                if let Err(e) = expire(store, &up, &actor, &detail) {
                    actions.push(act(&up.id, "error", e.to_string()));
                    continue;
                }
            }
            actions.push(act(&up.id, "expired", detail));
            continue;
        }
        if history.state.is_open() {
            let first_seen = seen.of(&up.id);
            let verdict = auto_approvable(store, &history, &policy, first_seen, now);
            if let Some(why) = verdict.unwrap_or_else(|e| {
                actions.push(act(&up.id, "error", e.to_string()));
                None
            }) {
                if req.dry_run {
                    actions.push(act(&up.id, "auto-approved", why));
                    continue;
                }
                match auto_approve(store, &up, &actor, &why) {
                    Ok(approved) => {
                        actions.push(act(&up.id, "auto-approved", why));
                        match land(store, &approved, &actor, reporter, &LandMode::Normal) {
                            Ok(ApproveOutcome::Applied(u)) => actions.push(act(
                                &u.id,
                                "applied",
                                format!("landed on {}", u.record.target),
                            )),
                            Ok(ApproveOutcome::TestsFailed(u)) => {
                                actions.push(act(&u.id, "failed", "tests failed"))
                            }
                            Ok(ApproveOutcome::Recorded(u)) => {
                                actions.push(act(&u.id, "skipped", "not landed"))
                            }
                            Err(e) => actions.push(act(&up.id, "error", e.to_string())),
                        }
                    }
                    Err(e) => actions.push(act(&up.id, "error", e.to_string())),
                }
            }
            continue;
        }
        if age(history.updated_at) > secs(policy.prune_after_secs) {
            let detail = format!(
                "{} more than {} ago",
                r.state,
                human(policy.prune_after_secs)
            );
            if !req.dry_run {
                if let Err(e) = prune(store, &up) {
                    actions.push(act(&up.id, "error", e.to_string()));
                    continue;
                }
            }
            actions.push(act(&up.id, "pruned", detail));
        }
    }
    actions.extend(bound_test_checkout(repo, req.dry_run));
    if !req.dry_run {
        seen.write(repo);
        crate::store::proposals::retain(repo, |id| {
            crate::ids::validate_id(id).is_ok()
                && matches!(store.ref_tip(&crate::store::open_ref(id)), Ok(Some(_)))
        });
        if let Some(n) = pack_refs_if_needed(repo)? {
            actions.push(act(
                "-",
                "packed-refs",
                format!(
                    "{} of the queue packed",
                    crate::text::plural(n, "loose ref")
                ),
            ));
        }
    } else if let Some(n) = count_loose(repo).filter(|n| *n >= LOOSE_REFS_TO_PACK) {
        actions.push(act(
            "-",
            "packed-refs",
            format!(
                "{} of the queue would be packed",
                crate::text::plural(n, "loose ref")
            ),
        ));
    }
    Ok(actions)
}

/// Loose queue refs beyond this many are packed: listing reads packed refs
/// from one sorted file, loose ones one file each.
pub const LOOSE_REFS_TO_PACK: usize = 256;

fn count_loose(repo: &gix::Repository) -> Option<usize> {
    fn walk(dir: &std::path::Path, n: &mut usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => walk(&e.path(), n),
                Ok(_) if !e.file_name().to_string_lossy().ends_with(".lock") => *n += 1,
                _ => {}
            }
        }
    }
    let mut n = 0;
    let refs = repo.common_dir().join("refs");
    for sub in [
        "upgrades",
        "upgrades-archive",
        "notes/upgrades",
        "upgrades-sync",
    ] {
        walk(&refs.join(sub), &mut n);
    }
    Some(n)
}

/// The default bound on the reused test checkout (build outputs included).
pub const TEST_CHECKOUT_MAX_BYTES: u64 = 5 << 30;

/// `upgrades.testCheckoutMaxSize` (bytes, or with a k/m/g suffix), else the default.
fn test_checkout_limit(repo: &gix::Repository) -> u64 {
    let Some(text) = repo
        .config_snapshot()
        .string("upgrades.testCheckoutMaxSize")
    else {
        return TEST_CHECKOUT_MAX_BYTES;
    };
    let text = text.to_string().trim().to_ascii_lowercase();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text.as_str(), ""),
    };
    let shift = match unit {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        _ => return TEST_CHECKOUT_MAX_BYTES,
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .unwrap_or(TEST_CHECKOUT_MAX_BYTES)
}

/// Keep the reused test checkout within its bound (removed whole when over
/// it: the next run starts cold), and remove the checkouts of repositories
/// that no longer exist.
fn bound_test_checkout(repo: &gix::Repository, dry_run: bool) -> Vec<Action> {
    let mut out = Vec::new();
    let limit = test_checkout_limit(repo);
    let size = crate::checkout::reused_size(repo);
    if size > limit {
        let detail = format!(
            "the reused test checkout takes {} MiB, over the {} MiB bound (upgrades.testCheckoutMaxSize): removed, the next run starts cold",
            size >> 20,
            limit >> 20
        );
        if dry_run {
            out.push(act("-", "test-checkout", detail));
        } else {
            match crate::checkout::remove_reused(repo) {
                Ok(_) => out.push(act("-", "test-checkout", detail)),
                Err(e) => out.push(act("-", "skipped", e.to_string())),
            }
        }
    }
    if !dry_run {
        for dir in crate::checkout::sweep_orphans() {
            out.push(act(
                "-",
                "test-checkout",
                format!("removed {}: its repository is gone", dir.display()),
            ));
        }
    }
    out
}

/// `git pack-refs --all` when loose queue refs piled up (gix cannot pack refs).
fn pack_refs_if_needed(repo: &gix::Repository) -> Result<Option<usize>> {
    let Some(n) = count_loose(repo).filter(|n| *n >= LOOSE_REFS_TO_PACK) else {
        return Ok(None);
    };
    let _guard = crate::store::lock::write_lock(repo.common_dir())?;
    let mut cmd = crate::repo::git(repo);
    cmd.args(["pack-refs", "--all", "--prune"]);
    crate::repo::run_git(cmd, "pack the queue's refs")?;
    Ok(Some(n))
}

fn fallback_actor() -> Result<Actor> {
    let time = match std::env::var("GIT_COMMITTER_DATE") {
        Ok(d) => gix::date::parse(&d, Some(gix::date::Zoned::now()))
            .map_err(|e| Error::from_std("invalid GIT_COMMITTER_DATE", &e))?,
        Err(_) => gix::date::Time::now_local_or_utc(),
    };
    let signature = gix::actor::Signature {
        name: "git-upgrades".into(),
        email: "git-upgrades@localhost".into(),
        time,
    };
    Ok(Actor {
        name: POLICY_ACTOR.into(),
        now: time.seconds,
        signature,
    })
}

fn human(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s => format!("{s}s"),
    }
}

/// Seconds as a signed age, saturating (durations are bounded by the policy parser).
fn secs(s: u64) -> i64 {
    i64::try_from(s).unwrap_or(i64::MAX)
}

/// Why the auto-approve rule applies, or None. Judged on the change
/// recomputed from the trees and the replayed events, never on the record's
/// `files`, `stats` or `policy_change`. The delay counts from the later of the
/// proposal's event time and when this clone first saw it, so a backdated
/// committer date does not shorten it.
fn auto_approvable(
    store: &Store<'_>,
    history: &History,
    policy: &Policy,
    first_seen: i64,
    now: i64,
) -> Result<Option<String>> {
    if policy.auto_approve.is_none() {
        return Ok(None);
    }
    let tests_passed = history.latest_test().is_some_and(|t| t.status == "passed");
    if !tests_passed {
        return Ok(None);
    }
    let change = trust::recompute(store.repo, &history.base, &history.head)?;
    let since = history.proposed_at.max(first_seen);
    Ok(change.auto_approvable(policy, since, now).ok())
}

/// When this clone first saw each open upgrade (`<common-dir>/upgrades/first-seen`,
/// lines of `<id> <unix seconds>`). Local and disposable: a missing file
/// only restarts auto-approve delays.
struct FirstSeen {
    times: HashMap<String, i64>,
    now: i64,
    changed: bool,
    /// The ids asked about in this run (the open upgrades): only those are
    /// kept, so the file does not grow with the queue's whole history. An id
    /// forgotten and seen again gets a later time, which only delays
    /// auto-approval: the safe direction.
    asked: std::collections::HashSet<String>,
}

impl FirstSeen {
    fn path(repo: &gix::Repository) -> std::path::PathBuf {
        crate::repo::private_dir(repo).join("first-seen")
    }

    fn read(repo: &gix::Repository, now: i64) -> FirstSeen {
        let text = std::fs::read_to_string(Self::path(repo)).unwrap_or_default();
        let times = text
            .lines()
            .filter_map(|l| {
                let (id, t) = l.split_once(' ')?;
                Some((id.to_string(), t.parse().ok()?))
            })
            .collect();
        FirstSeen {
            times,
            now,
            changed: false,
            asked: Default::default(),
        }
    }

    fn of(&mut self, id: &str) -> i64 {
        self.asked.insert(id.to_string());
        if let Some(t) = self.times.get(id) {
            return *t;
        }
        self.changed = true;
        self.times.insert(id.to_string(), self.now);
        self.now
    }

    fn write(&self, repo: &gix::Repository) {
        let forgotten = self.times.keys().any(|id| !self.asked.contains(id));
        if !self.changed && !forgotten {
            return;
        }
        let mut lines: Vec<String> = self
            .times
            .iter()
            .filter(|(id, _)| self.asked.contains(*id))
            .map(|(id, t)| format!("{id} {t}\n"))
            .collect();
        lines.sort();
        let path = Self::path(repo);
        let tmp = path.with_extension("tmp");
        if std::fs::create_dir_all(crate::repo::private_dir(repo)).is_ok()
            && std::fs::write(&tmp, lines.concat()).is_ok()
        {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
}

fn auto_approve(store: &Store<'_>, up: &Upgrade, actor: &Actor, why: &str) -> Result<Upgrade> {
    append_retrying(store, &up.id, &actor.signature, |up| {
        let r = &up.record;
        let d = details([
            ("head", r.head.clone().into()),
            ("target", r.target.clone().into()),
            ("rule", "auto_approve".into()),
            ("comment", why.into()),
        ]);
        let approval = Approval {
            by: POLICY_ACTOR.into(),
            at: actor.at(),
            head: r.head.clone(),
            comment: Some(why.into()),
            carried_from: None,
        };
        let planned = transition(
            Some(r),
            EventKind::Approved,
            Facts {
                approvals_complete: true,
                ..Facts::default()
            },
            actor,
            d,
            |rec| rec.approvals.push(approval),
            None,
        )?;
        Ok(Planned::new(planned, vec![]))
    })
}

fn expire(store: &Store<'_>, up: &Upgrade, actor: &Actor, why: &str) -> Result<Upgrade> {
    append_retrying(store, &up.id, &actor.signature, |up| {
        let closed = Closure {
            by: POLICY_ACTOR.into(),
            at: actor.at(),
            reason: Some(why.into()),
        };
        let planned = transition(
            Some(&up.record),
            EventKind::Expired,
            Facts::default(),
            actor,
            details([("reason", why.into())]),
            |rec| rec.closed = Some(closed),
            None,
        )?;
        Ok(Planned::new(
            planned,
            close_refs(&up.id, &up.record.head, "upgrade.expired")?,
        ))
    })
}

/// Delete every ref of a closed upgrade, if its notes ref is still where we read it.
fn prune(store: &Store<'_>, up: &Upgrade) -> Result<()> {
    use gix::refs::transaction::{Change, RefEdit, RefLog};
    let mut edits = vec![RefEdit {
        change: Change::Delete {
            expected: PreviousValue::MustExistAndMatch(Target::Object(up.tip)),
            log: RefLog::AndReference,
        },
        name: notes_ref(&up.id)
            .as_str()
            .try_into()
            .map_err(|_| Error::failure("bad ref name"))?,
        deref: false,
    }];
    for name in [archive_ref(&up.id), open_ref(&up.id)] {
        if let Some(tip) = store.ref_tip(&name)? {
            edits.push(delete_if_present(&name, tip)?);
        }
    }
    store.transaction(edits)
}
