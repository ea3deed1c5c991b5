//! `pull`: fetch, validate, then adopt, fast-forward or merge each upgrade.

use gix::refs::transaction::PreviousValue;
use gix::ObjectId;

use super::merge::merge_records;
use super::{fetch, tracking_prefix};
use crate::error::{Error, Result};
use crate::ops::{details, is_ancestor};
use crate::record::{Event, EventKind, Record, State, EVENT_FORMAT};
use crate::replay::{self, History};
use crate::store::{
    archive_ref, branch_ref, delete_if_present, notes_ref, open_ref, proposals, update, Append,
    Store, Upgrade,
};
use crate::trust;
use crate::worktree;

/// What pulling did to one upgrade.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PullChange {
    /// The upgrade.
    pub id: String,
    /// `new`, `updated`, `merged`, `refused`, or `target` (a target branch fast-forwarded).
    pub change: String,
    /// State before (none for new upgrades).
    pub from: Option<State>,
    /// State after.
    pub to: Option<State>,
    /// Details (the refusal's reason, the merge rule applied, the target's move).
    pub detail: String,
}

/// How much work a pull did: proportional to what changed, not to the queue.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct PullStats {
    /// Upgrades the remote holds.
    pub remote: usize,
    /// Of those, the ones read and validated (new or changed there); the
    /// others are the same as, or behind, ours and are not read at all.
    pub validated: usize,
}

/// Fetch `remote` and merge its queue into ours.
pub fn pull(store: &Store<'_>, remote: &str) -> Result<Vec<PullChange>> {
    pull_counted(store, remote).map(|(changes, _)| changes)
}

/// [`pull`], with how much work it did.
pub fn pull_counted(store: &Store<'_>, remote: &str) -> Result<(Vec<PullChange>, PullStats)> {
    let repo = store.repo;
    fetch(repo, remote)?;
    let prefix = tracking_prefix(remote, "notes");
    let mut remote_tips = Vec::new();
    for (name, tip) in crate::refs::tips_under(repo, &prefix)
        .map_err(|e| e.context("cannot read tracking refs"))?
    {
        let id = name.strip_prefix(&prefix).unwrap_or(&name).to_string();
        remote_tips.push((id, tip));
    }
    // Our tips, read once: an upgrade whose remote tip we hold already (the
    // same, or an ancestor of ours) was validated when it got here, and is
    // not read again.
    let ours: std::collections::HashMap<String, ObjectId> = store
        .tips(crate::store::NOTES_PREFIX)?
        .into_iter()
        .collect();
    let mut stats = PullStats {
        remote: remote_tips.len(),
        validated: 0,
    };
    let mut changes = Vec::new();
    let mut targets: Vec<String> = Vec::new();
    let mut batch = NewBatch::default();
    // Upgrades new here are validated first, on every core (a first pull
    // of a big queue reads them all), then adopted in order below.
    let new_here: Vec<(String, ObjectId)> = remote_tips
        .iter()
        .filter(|(id, _)| !ours.contains_key(id))
        .cloned()
        .collect();
    let known = KnownTips::read(store, remote, new_here.len())?;
    let known = &known;
    let checked = crate::store::parallel::map(store, &new_here, |store, (id, rtip)| {
        validate(store, remote, id, *rtip, &|name: &str| {
            known.tip(store, name)
        })
        .map(|(up, _)| Validated::of(&up.record))
        .map_err(|e| e.context(format!("refused {remote}'s record of {id}")))
    });
    let mut validated: std::collections::HashMap<String, Result<Validated>> = new_here
        .into_iter()
        .map(|(id, _)| id)
        .zip(checked)
        .collect();
    for (id, rtip) in remote_tips {
        if let Some(&ltip) = ours.get(&id) {
            if ltip == rtip || is_ancestor(repo, rtip, ltip).unwrap_or(false) {
                continue;
            }
        }
        stats.validated += 1;
        let result = if ours.contains_key(&id) {
            pull_one(store, remote, &id, rtip)
        } else {
            // New here: written with the others in one transaction.
            let checked = validated
                .remove(&id)
                .expect("every upgrade new here was validated");
            checked.and_then(|checked| {
                batch.add(&id, rtip, checked, &|name: &str| known.tip(store, name))
            })
        };
        match result {
            Ok(Some(change)) => {
                if change.to == Some(State::Applied) {
                    if let Ok(up) = store.load(&id) {
                        targets.push(up.record.target.clone());
                    }
                }
                changes.push(change);
            }
            Ok(None) => {}
            Err(e) => changes.push(PullChange {
                id: id.clone(),
                change: "refused".into(),
                from: None,
                to: None,
                detail: e.to_string(),
            }),
        }
    }
    let (adopted, mut refused) = batch.commit(store);
    for (change, target) in adopted {
        if change.to == Some(State::Applied) {
            targets.push(target);
        }
        changes.push(change);
    }
    changes.append(&mut refused);
    targets.sort();
    targets.dedup();
    for t in targets {
        changes.extend(fast_forward_target(store, remote, &t)?);
    }
    Ok((changes, stats))
}

/// How a pull reads a ref's tip: live, or from [`KnownTips`].
type TipOf<'a> = &'a dyn Fn(&str) -> Result<Option<ObjectId>>;

/// The tips adopting new upgrades asks about (their open and archive refs,
/// and the target's local and remote tips to prove a landing). In a
/// reftable repository every single ref read is a `git` process, and a
/// first pull would ask for four per upgrade: there they are listed once,
/// one listing per prefix, when there is anything new. Elsewhere a read is
/// a file lookup, cheaper than listing every queue ref, and is done live.
/// A listed tip that moved since makes the one transaction fail its checks,
/// and each upgrade is then written alone with live reads.
struct KnownTips(Option<std::collections::HashMap<String, ObjectId>>);

impl KnownTips {
    fn read(store: &Store<'_>, remote: &str, new_here: usize) -> Result<KnownTips> {
        if new_here == 0 || !crate::refs::through_git(store.repo) {
            return Ok(KnownTips(None));
        }
        let mut tips = std::collections::HashMap::new();
        for prefix in [
            crate::store::OPEN_PREFIX,
            crate::store::ARCHIVE_PREFIX,
            "refs/heads/",
            &format!("refs/remotes/{remote}/"),
        ] {
            tips.extend(crate::refs::tips_under(store.repo, prefix)?);
        }
        Ok(KnownTips(Some(tips)))
    }

    /// The tip of `name`: listed, or read live through `store`.
    fn tip(&self, store: &Store<'_>, name: &str) -> Result<Option<ObjectId>> {
        match &self.0 {
            Some(tips) => Ok(tips.get(name).copied()),
            None => store.ref_tip(name),
        }
    }
}

/// Upgrades new here, validated and then written in one transaction (a
/// first pull of a big queue would otherwise pay one ref transaction each).
#[derive(Default)]
struct NewBatch {
    edits: Vec<gix::refs::transaction::RefEdit>,
    adopted: Vec<(PullChange, Validated, ObjectId)>,
}

/// What adopting a validated upgrade needs of its record; the rest is
/// dropped once validated, so a pull of many new upgrades holds little.
struct Validated {
    state: State,
    target: String,
    base: String,
    head: String,
}

impl Validated {
    fn of(r: &Record) -> Validated {
        Validated {
            state: r.state,
            target: r.target.clone(),
            base: r.base.clone(),
            head: r.head.clone(),
        }
    }

    /// The notes ref at `tip` (as `expected` says it must be now) and the
    /// queue ref of its state.
    fn edits(
        &self,
        now: TipOf<'_>,
        id: &str,
        tip: ObjectId,
        expected: PreviousValue,
        why: &str,
    ) -> Result<Vec<gix::refs::transaction::RefEdit>> {
        let mut edits = vec![update(&notes_ref(id), expected, tip, why)?];
        edits.extend(state_refs(now, id, self.state, &self.head)?);
        Ok(edits)
    }

    /// Once adopted: an open one is known by its change, so proposing the
    /// same change again here is refused as a duplicate.
    fn remember(&self, repo: &gix::Repository, id: &str) {
        if self.state.is_open() {
            if let Some(key) = proposals::key_of(repo, &self.target, &self.base, &self.head) {
                proposals::remember(repo, &key, id);
            }
        }
    }
}

impl NewBatch {
    /// Queue the refs of `id` at `rtip`, as [`validate`] found it; Ok(None): queued.
    fn add(
        &mut self,
        id: &str,
        rtip: ObjectId,
        theirs: Validated,
        known: TipOf<'_>,
    ) -> Result<Option<PullChange>> {
        self.edits.extend(theirs.edits(
            known,
            id,
            rtip,
            PreviousValue::MustNotExist,
            "upgrades: pull",
        )?);
        let change = PullChange {
            id: id.to_string(),
            change: "new".into(),
            from: None,
            to: Some(theirs.state),
            detail: String::new(),
        };
        self.adopted.push((change, theirs, rtip));
        Ok(None)
    }

    /// Write every queued upgrade; when the one transaction fails (a
    /// concurrent writer created one of them), each is tried alone.
    fn commit(self, store: &Store<'_>) -> (Vec<(PullChange, String)>, Vec<PullChange>) {
        if self.adopted.is_empty() {
            return (Vec::new(), Vec::new());
        }
        if store.transaction(self.edits).is_ok() {
            let mut out = Vec::new();
            for (change, theirs, _) in self.adopted {
                theirs.remember(store.repo, &change.id);
                out.push((change, theirs.target));
            }
            return (out, Vec::new());
        }
        let mut out = Vec::new();
        let mut refused = Vec::new();
        for (change, theirs, tip) in self.adopted {
            let id = change.id.clone();
            let alone = theirs
                .edits(
                    &|name: &str| store.ref_tip(name),
                    &id,
                    tip,
                    PreviousValue::MustNotExist,
                    "upgrades: pull",
                )
                .and_then(|edits| store.transaction(edits));
            match alone {
                Ok(()) => {
                    theirs.remember(store.repo, &id);
                    out.push((change, theirs.target));
                }
                Err(e) => refused.push(PullChange {
                    id,
                    change: "refused".into(),
                    from: None,
                    to: None,
                    detail: e.to_string(),
                }),
            }
        }
        (out, refused)
    }
}

/// Check a fetched upgrade completely before anything of ours changes: the
/// record must agree with its replayed event chain, and a claimed landing
/// must be on the target's history (the remote's or ours).
fn validate(
    store: &Store<'_>,
    remote: &str,
    id: &str,
    tip: ObjectId,
    tip_of: TipOf<'_>,
) -> Result<(Upgrade, History)> {
    crate::ids::validate_id(id)
        .map_err(|e| Error::failure(format!("invalid id in the remote's refs: {}", e.message)))?;
    let (up, history) = store.load_with_history(id, tip)?;
    if history.state == State::Applied || history.state == State::RolledBack {
        let target = &history.target;
        let remote_tip = tip_of(&format!("refs/remotes/{remote}/{target}"))?;
        let local_tip = tip_of(&branch_ref(target))?;
        let proven = trust::landing::prove_landing(store, &history, remote_tip);
        if proven.is_err() && local_tip.is_some() {
            trust::landing::prove_landing(store, &history, local_tip)?;
        } else {
            proven?;
        }
    }
    let head: ObjectId = up
        .record
        .head
        .parse()
        .map_err(|_| Error::failure("damaged head id"))?;
    store.repo.find_commit(head).map_err(|_| {
        Error::failure(format!(
            "upgrade {id}: its head {head} was not sent by the remote"
        ))
    })?;
    Ok((up, history))
}

fn pull_one(
    store: &Store<'_>,
    remote: &str,
    id: &str,
    rtip: ObjectId,
) -> Result<Option<PullChange>> {
    let repo = store.repo;
    let (theirs, their_history) =
        validate(store, remote, id, rtip, &|name: &str| store.ref_tip(name))
            .map_err(|e| e.context(format!("refused {remote}'s record of {id}")))?;
    let local_tip = store.ref_tip(&notes_ref(id))?;
    let change = |kind: &str, from: Option<State>, to: State, detail: String| PullChange {
        id: id.to_string(),
        change: kind.into(),
        from,
        to: Some(to),
        detail,
    };
    let Some(ltip) = local_tip else {
        let adopted = Validated::of(&theirs.record);
        store.transaction(adopted.edits(
            &|name: &str| store.ref_tip(name),
            id,
            rtip,
            PreviousValue::MustNotExist,
            "upgrades: pull",
        )?)?;
        adopted.remember(repo, id);
        return Ok(Some(change(
            "new",
            None,
            theirs.record.state,
            String::new(),
        )));
    };
    if ltip == rtip || is_ancestor(repo, rtip, ltip)? {
        return Ok(None);
    }
    let (ours, our_history) = store.load_with_history(id, ltip)?;
    if is_ancestor(repo, ltip, rtip)? {
        let adopted = Validated::of(&theirs.record);
        store.transaction(adopted.edits(
            &|name: &str| store.ref_tip(name),
            id,
            rtip,
            PreviousValue::MustExistAndMatch(gix::refs::Target::Object(ltip)),
            "upgrades: pull (fast-forward)",
        )?)?;
        adopted.remember(repo, id);
        return Ok(Some(change(
            "updated",
            Some(ours.record.state),
            theirs.record.state,
            String::new(),
        )));
    }
    // Diverged: both sides appended events. Merge deterministically.
    let (merged_history, ours_won) = replay::merge_histories(&our_history, &their_history)
        .map_err(|why| Error::failure(format!("upgrade {id}: cannot merge: {why}")))?;
    let merged = merge_records(&ours.record, &theirs.record, ours_won, &merged_history);
    let time_of =
        |tip: ObjectId| -> Result<i64> { Ok(repo.find_commit(tip)?.committer()?.seconds()) };
    let time = time_of(ltip)?.max(time_of(rtip)?);
    let signature = gix::actor::Signature {
        name: "git-upgrades".into(),
        email: "merge@git-upgrades.invalid".into(),
        time: gix::date::Time {
            seconds: time,
            offset: 0,
        },
    };
    let mut parents = [ltip.to_string(), rtip.to_string()];
    parents.sort();
    let event = Event {
        format: EVENT_FORMAT,
        event: EventKind::Merged,
        id: id.to_string(),
        actor: "merge".into(),
        seq: merged.seq,
        details: details([
            ("state", merged.state.as_str().into()),
            (
                "rule",
                "precedence: applied > failed > rejected > expired > approved > proposed".into(),
            ),
            ("parents", serde_json::json!(parents)),
        ]),
    };
    let mut merged = merged;
    merged.updated_at = crate::time::rfc3339(time).max(merged.updated_at);
    let edits = state_refs(
        &|name: &str| store.ref_tip(name),
        id,
        merged.state,
        &merged.head,
    )?;
    store.append(Append {
        record: &merged,
        event: &event,
        previous_tip: Some(ltip),
        merge_parent: Some(rtip),
        extra: edits,
        signature: &signature,
        sign: false,
        check_signed: None,
        labels: &[],
        subject: None,
    })?;
    let detail = format!(
        "ours {} + theirs {} -> {}",
        ours.record.state, theirs.record.state, merged.state
    );
    Ok(Some(change(
        "merged",
        Some(ours.record.state),
        merged.state,
        detail,
    )))
}

/// The open/archive ref edits that make our refs match `record`'s state.
fn state_refs(
    now: TipOf<'_>,
    id: &str,
    state: State,
    head: &str,
) -> Result<Vec<gix::refs::transaction::RefEdit>> {
    let head: ObjectId = head
        .parse()
        .map_err(|_| Error::failure("damaged head id"))?;
    let open_now = now(&open_ref(id))?;
    let archive_now = now(&archive_ref(id))?;
    let guard = |now: Option<ObjectId>| match now {
        Some(t) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(t)),
        None => PreviousValue::MustNotExist,
    };
    let mut edits = Vec::new();
    if state.is_open() {
        if open_now != Some(head) {
            edits.push(update(
                &open_ref(id),
                guard(open_now),
                head,
                "upgrades: pull",
            )?);
        }
        if let Some(t) = archive_now {
            edits.push(delete_if_present(&archive_ref(id), t)?);
        }
    } else {
        if let Some(t) = open_now {
            edits.push(delete_if_present(&open_ref(id), t)?);
        }
        if archive_now != Some(head) {
            edits.push(update(
                &archive_ref(id),
                guard(archive_now),
                head,
                "upgrades: pull",
            )?);
        }
    }
    Ok(edits)
}

/// The histories that may explain a move `from -> to` of a branch: those
/// whose archived head is on the first-parent line between them (a landing
/// lands its head), read through the archive refs so that only those few
/// are loaded. When that line does not lead back to `from` (a landed merge
/// whose first parent is the merged branch), every history is read.
fn landings_between(
    store: &Store<'_>,
    from: ObjectId,
    to: ObjectId,
) -> Result<Vec<crate::replay::History>> {
    const MAX_WALK: usize = 100_000;
    let mut on_line = std::collections::HashSet::new();
    let mut at = to;
    while at != from && on_line.len() < MAX_WALK {
        on_line.insert(at);
        match store.repo.find_commit(at)?.parent_ids().next() {
            Some(p) => at = p.detach(),
            None => break,
        }
    }
    if at != from {
        return Ok(store.iter_full()?.flatten().map(|(_, h)| h).collect());
    }
    let mut out = Vec::new();
    for (id, head) in store.tips(crate::store::ARCHIVE_PREFIX)? {
        if !on_line.contains(&head) {
            continue;
        }
        if let Some(tip) = store.ref_tip(&notes_ref(&id))? {
            if let Ok((_, h)) = store.load_with_history(&id, tip) {
                out.push(h);
            }
        }
    }
    Ok(out)
}

/// Bring a local target branch up towards the remote's along verified
/// landings only: each step from our tip must be an applied upgrade whose
/// landing, approvals (under the policy committed where it landed) and tests
/// check out. A remote tip that no such chain explains is not adopted past
/// the last explained step, and the refusal is reported. A checked-out
/// worktree is kept in step.
fn fast_forward_target(store: &Store<'_>, remote: &str, target: &str) -> Result<Vec<PullChange>> {
    let repo = store.repo;
    let Some(theirs) = store.ref_tip(&format!("refs/remotes/{remote}/{target}"))? else {
        return Ok(Vec::new());
    };
    let Some(ours) = store.ref_tip(&branch_ref(target))? else {
        return Ok(Vec::new());
    };
    if ours == theirs || !is_ancestor(repo, ours, theirs)? {
        return Ok(Vec::new());
    }
    let histories: Vec<_> = landings_between(store, ours, theirs)?
        .into_iter()
        .filter(|h| h.target == target && h.state == State::Applied)
        .collect();
    let (reach, why) = trust::landing::explained_move(store, &histories, ours, theirs)?;
    let refused = why.map(|why| PullChange {
        id: target.to_string(),
        change: "target".into(),
        from: None,
        to: None,
        detail: format!(
            "{target} not fast-forwarded to {remote}/{target} ({}): {why}",
            theirs.to_hex_with_len(10)
        ),
    });
    if reach == ours {
        return Ok(refused.into_iter().collect());
    }
    let theirs = reach;
    let checked_out = match worktree::clean_checkouts(repo, target) {
        Ok(c) => c,
        Err(e) => {
            return Ok(vec![PullChange {
                id: target.to_string(),
                change: "target".into(),
                from: None,
                to: None,
                detail: format!("not fast-forwarded: {e}"),
            }])
        }
    };
    store.transaction(vec![update(
        &branch_ref(target),
        PreviousValue::MustExistAndMatch(gix::refs::Target::Object(ours)),
        theirs,
        &format!("upgrades: pull {remote}/{target}"),
    )?])?;
    worktree::follow(&checked_out, ours, theirs);
    let moved = PullChange {
        id: target.to_string(),
        change: "target".into(),
        from: None,
        to: None,
        detail: format!(
            "{target} fast-forwarded {} -> {}",
            ours.to_hex_with_len(10),
            theirs.to_hex_with_len(10)
        ),
    };
    Ok(std::iter::once(moved).chain(refused).collect())
}
