//! Completing writes that a killed process left half-applied.
//!
//! A multi-ref transaction is as atomic as git's files backend: every lock is
//! taken and every value compared first, then the lock files are renamed one
//! by one (updates before deletions). A transaction that moves a branch is
//! committed by a git that outlives the tool (`Store::edit_refs`); for the
//! others, a kill between two renames can leave a
//! closed upgrade (its record `rejected`, `expired`, `failed`, `applied` or
//! `rolled-back`) with its open queue ref still present and no archive ref.
//! The record is the truth: [`repair_upgrade`] completes such a close in one
//! compare-and-swap transaction under the write lock. [`repair_all`] (behind
//! `git upgrades maintain --repair`) does that for every upgrade, points the
//! queue ref of an open upgrade back at its recorded head when it is missing
//! or moved, and reports queue refs that belong to no upgrade.

use gix::refs::transaction::PreviousValue;
use gix::refs::Target;
use gix::ObjectId;

use super::{
    archive_ref, delete_if_present, lock, open_ref, update, Store, Upgrade, ARCHIVE_PREFIX,
    NOTES_PREFIX, OPEN_PREFIX,
};
use crate::error::{Error, Result};

/// One thing a repair did or found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The upgrade.
    pub id: String,
    /// `repaired` (the refs were changed), `attention` (found, left as it is:
    /// the detail says what to do) or `error` (the upgrade cannot be read).
    pub action: String,
    /// What was done or found.
    pub detail: String,
}

fn finding(id: &str, action: &str, detail: String) -> Finding {
    Finding {
        id: id.to_string(),
        action: action.to_string(),
        detail,
    }
}

/// The planned repair of one upgrade: ref edits and what they do, and what was
/// found but is left alone.
struct Plan {
    edits: Vec<gix::refs::transaction::RefEdit>,
    done: Vec<String>,
    attention: Vec<String>,
}

fn short(id: ObjectId) -> String {
    id.to_hex_with_len(12).to_string()
}

/// What a closed upgrade needs: its open ref gone (only if it still points at
/// the recorded head: anything else was put there by someone else), its
/// archive ref at the recorded head.
fn plan_closed(store: &Store<'_>, up: &Upgrade, head: ObjectId) -> Result<Plan> {
    let id = &up.id;
    let mut plan = Plan {
        edits: Vec::new(),
        done: Vec::new(),
        attention: Vec::new(),
    };
    match store.ref_tip(&open_ref(id))? {
        Some(t) if t == head => {
            plan.edits.push(delete_if_present(&open_ref(id), head)?);
            plan.done.push(format!("deleted its queue ref {}", open_ref(id)));
        }
        Some(t) => plan.attention.push(format!(
            "its queue ref {} still exists and points at {}, not at the recorded head {}; left in place: delete it with `git update-ref -d {}` if nothing needs it",
            open_ref(id),
            short(t),
            short(head),
            open_ref(id)
        )),
        None => {}
    }
    match store.ref_tip(&archive_ref(id))? {
        None if store.repo.has_object(head) => {
            plan.edits.push(update(
                &archive_ref(id),
                PreviousValue::MustNotExist,
                head,
                "repair",
            )?);
            plan.done
                .push(format!("created its archive ref {}", archive_ref(id)));
        }
        None => plan.attention.push(format!(
            "its archive ref {} is missing and the recorded head {} is not in this repository",
            archive_ref(id),
            short(head)
        )),
        Some(t) if t != head => plan.attention.push(format!(
            "its archive ref {} points at {}, not at the recorded head {}; left in place",
            archive_ref(id),
            short(t),
            short(head)
        )),
        Some(_) => {}
    }
    Ok(plan)
}

/// What an open upgrade needs: its queue ref at the recorded head.
fn plan_open(store: &Store<'_>, up: &Upgrade, head: ObjectId) -> Result<Plan> {
    let id = &up.id;
    let mut plan = Plan {
        edits: Vec::new(),
        done: Vec::new(),
        attention: Vec::new(),
    };
    let now = store.ref_tip(&open_ref(id))?;
    if now == Some(head) {
        return Ok(plan);
    }
    if !store.repo.has_object(head) {
        plan.attention.push(format!(
            "its queue ref {} is not at the recorded head {}, which is not in this repository",
            open_ref(id),
            short(head)
        ));
        return Ok(plan);
    }
    let expected = match now {
        Some(t) => PreviousValue::MustExistAndMatch(Target::Object(t)),
        None => PreviousValue::MustNotExist,
    };
    plan.edits
        .push(update(&open_ref(id), expected, head, "repair")?);
    plan.done.push(match now {
        Some(t) => format!(
            "pointed its queue ref {} back at the recorded head {} (it pointed at {}, which it no longer keeps reachable)",
            open_ref(id),
            short(head),
            short(t)
        ),
        None => format!(
            "restored its missing queue ref {} at the recorded head {}",
            open_ref(id),
            short(head)
        ),
    });
    Ok(plan)
}

fn head_of(up: &Upgrade) -> Result<ObjectId> {
    up.record
        .head
        .parse()
        .map_err(|_| Error::failure(format!("upgrade {}: damaged head id", up.id)))
}

/// Plan, and unless `dry_run` apply, the repair of `up`; `open_too` also
/// restores an open upgrade's queue ref. Applying re-reads the upgrade under
/// the write lock, so the record cannot change between the check and the write.
fn repair_one(
    store: &Store<'_>,
    up: &Upgrade,
    open_too: bool,
    dry_run: bool,
) -> Result<Vec<Finding>> {
    let plan_for = |up: &Upgrade| -> Result<Plan> {
        let head = head_of(up)?;
        if up.record.state.is_open() {
            if open_too {
                plan_open(store, up, head)
            } else {
                Ok(Plan {
                    edits: Vec::new(),
                    done: Vec::new(),
                    attention: Vec::new(),
                })
            }
        } else {
            plan_closed(store, up, head)
        }
    };
    let mut plan = plan_for(up)?;
    if !plan.edits.is_empty() && !dry_run {
        let _guard = store.write_lock()?;
        let now = store.load(&up.id)?;
        if now.tip != up.tip {
            plan = plan_for(&now)?;
        }
        if !plan.edits.is_empty() {
            store.edit_locked(&plan.edits)?;
        }
    }
    let mut out = Vec::new();
    if !plan.done.is_empty() {
        let what = if up.record.state.is_open() {
            format!("{} upgrade", up.record.state)
        } else {
            format!(
                "completed the interrupted close of this {} upgrade",
                up.record.state
            )
        };
        out.push(finding(
            &up.id,
            "repaired",
            format!("{what}: {}", plan.done.join("; ")),
        ));
    }
    out.extend(
        plan.attention
            .into_iter()
            .map(|a| finding(&up.id, "attention", a)),
    );
    Ok(out)
}

/// Complete the close of upgrade `id` if a killed process left it half-done:
/// for a closed upgrade (per its record) whose open queue ref still exists or
/// whose archive ref is missing, delete the open ref (if it still points at
/// the recorded head) and set the archive ref, in one compare-and-swap
/// transaction. Open upgrades are left alone. Returns what it did and found
/// (nothing when all is well; checking costs two ref reads).
pub fn repair_upgrade(store: &Store<'_>, id: &str) -> Result<Vec<Finding>> {
    let up = store.load(id)?;
    repair_one(store, &up, false, false)
}

/// [`repair_upgrade`] on an upgrade already loaded.
pub fn repair_loaded(store: &Store<'_>, up: &Upgrade) -> Result<Vec<Finding>> {
    repair_one(store, up, false, false)
}

/// Report each finding through the user notices (for commands that repair on
/// the way).
pub fn notify(findings: &[Finding]) {
    for f in findings {
        lock::notice(format!("upgrade {}: {}", f.id, f.detail));
    }
}

/// Check every upgrade (`maintain --repair`): complete half-done closes,
/// point open upgrades' queue refs back at their recorded heads, and report
/// queue refs that belong to no upgrade and unreadable upgrades. With
/// `dry_run`, nothing is changed.
pub fn repair_all(store: &Store<'_>, dry_run: bool) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    let mut known = std::collections::HashSet::new();
    for item in store.list()? {
        match item {
            Ok(up) => {
                known.insert(up.id.clone());
                match repair_one(store, &up, true, dry_run) {
                    Ok(found) => out.extend(found),
                    Err(e) => out.push(finding(&up.id, "error", e.to_string())),
                }
            }
            Err((id, e)) => {
                known.insert(id.clone());
                out.push(finding(&id, "error", e.to_string()));
            }
        }
    }
    for prefix in [OPEN_PREFIX, ARCHIVE_PREFIX] {
        for (id, tip) in store.tips(prefix)? {
            if known.contains(&id) {
                continue;
            }
            out.push(finding(
                &id,
                "attention",
                format!(
                    "{prefix}{id} points at {} but there is no upgrade {id} ({NOTES_PREFIX}{id} is missing); left in place: delete it with `git update-ref -d {prefix}{id}` if nothing needs it",
                    short(tip)
                ),
            ));
        }
    }
    Ok(out)
}
