//! A derived, disposable cache for listing the queue fast.
//!
//! `<common-dir>/upgrades/cache` maps each upgrade id to the notes-ref tip it
//! was computed from, a small summary (what `status` and `list` print) and the
//! upgrade's pre-rendered JSON (what `list --json` prints). Every read lists
//! the notes refs first and uses an entry only when its tip is exactly the
//! ref's current tip; since a tip names immutable objects, the cache can never
//! show a state the refs do not hold. Changed, new or removed upgrades are
//! re-read from git and the file is rewritten atomically. A missing, damaged
//! or old-format cache is rebuilt silently. It is never the source of truth.
//!
//! Memory stays near the size of the index: summaries and elements live in
//! the file (or, while the cache is rebuilt, in an unnamed spill file beside
//! it) and are read one at a time through a small window; the data is kept
//! in listing order so that a listing reads it front to back.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::{Store, Upgrade, NOTES_PREFIX};
use crate::error::{Error, Result};
use crate::record::{State, TestResult};

mod layout;
mod stored;

pub use layout::listing_order;
use layout::{read_cache, write_cache};
use stored::{Section, Spill, Stored, WINDOW};

/// What listing needs of one upgrade.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// Lifecycle state.
    pub state: State,
    /// Description.
    pub description: String,
    /// Target branch.
    pub target: String,
    /// Proposer.
    pub proposed_by: String,
    /// When proposed.
    pub proposed_at: String,
    /// Last event time.
    pub updated_at: String,
    /// Lines added.
    pub added: u64,
    /// Lines removed.
    pub removed: u64,
    /// Up to three changed paths.
    pub paths: Vec<String>,
    /// Number of changed files.
    pub files: u64,
    /// Test status word and whether they passed.
    pub tests: Option<(String, Option<bool>)>,
    /// Approvals on the current head.
    pub approvals: usize,
    /// Touches the policy.
    pub policy_change: bool,
    /// Landed through the urgent bypass.
    pub urgent: bool,
    /// The head commit (full hex).
    pub head: String,
    /// The base it was proposed on (full hex).
    pub base: String,
    /// Emails (lower-cased) of who approved the current head.
    pub approved_by: Vec<String>,
    /// How many revisions it has had.
    #[serde(default)]
    pub revisions: u64,
    /// Who has an open change request (`Name <email>`, in order).
    #[serde(default)]
    pub requested_by: Vec<String>,
    /// Comment threads not resolved yet.
    #[serde(default)]
    pub unresolved_comments: u64,
}

impl Summary {
    fn of(up: &Upgrade) -> Summary {
        let r = &up.record;
        Summary {
            state: r.state,
            description: r.description.clone(),
            target: r.target.clone(),
            proposed_by: r.proposed_by.clone(),
            proposed_at: r.proposed_at.clone(),
            updated_at: r.updated_at.clone(),
            added: r.stats.added,
            removed: r.stats.removed,
            paths: r.files.iter().take(3).map(|f| f.path.clone()).collect(),
            files: r.stats.files,
            tests: r
                .tests
                .as_ref()
                .map(|t: &TestResult| (t.status.clone(), t.passed)),
            approvals: r.approvals_for_head(),
            policy_change: r.policy_change,
            urgent: r.urgent.is_some(),
            head: r.head.clone(),
            base: r.base.clone(),
            approved_by: r
                .approvals
                .iter()
                .filter(|a| a.head == r.head)
                .map(|a| crate::repo::email_of(&a.by))
                .collect(),
            revisions: r.revisions.len().max(1) as u64,
            requested_by: {
                let mut who: Vec<String> = Vec::new();
                for c in r.open_requests() {
                    if !who.contains(&c.by) {
                        who.push(c.by.clone());
                    }
                }
                who
            },
            unresolved_comments: r.unresolved_comments,
        }
    }
}

/// One upgrade as listed, or why it is unreadable.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The id.
    pub id: String,
    /// The notes tip it was read from.
    pub tip: ObjectId,
    /// What is known of it.
    pub data: std::result::Result<Listing, String>,
}

/// A listed upgrade: the fields used for sorting and filtering, the summary
/// (parsed only when displayed) and where its rendered JSON element is.
#[derive(Debug, Clone)]
pub struct Listing {
    /// Lifecycle state.
    pub state: State,
    /// When proposed (RFC 3339).
    pub proposed_at: String,
    /// Last event (RFC 3339).
    pub updated_at: String,
    summary: Stored,
    json: Stored,
}

impl Listing {
    /// The display summary.
    pub fn summary(&self) -> Result<Summary> {
        let bytes = self.summary.get().ok_or_else(unreadable)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::failure(format!("damaged cache entry: {e}")))
    }
    /// The upgrade object as one line of JSON, read from where it is kept.
    pub fn json(&self) -> Result<Vec<u8>> {
        self.json.get().ok_or_else(unreadable)
    }
}

/// The cache file changed under a reader (cut short in place: a rewrite
/// renames a new file, which an open reader never sees).
fn unreadable() -> Error {
    Error::failure("cannot read the listing cache: it changed while being read")
        .hint("run the command again (the cache is rebuilt when damaged)")
}

fn cache_path(store: &Store<'_>) -> PathBuf {
    store.repo.common_dir().join("upgrades").join("cache")
}

/// How the presentation layer renders one upgrade as a `list --json`
/// element. The cache stores what `element` returns beside the summary, so a
/// warm listing copies bytes; it never knows the shape itself. `version` is
/// part of the cache's header: a cache written with another rendering is
/// rebuilt, never mixed in.
#[derive(Clone, Copy)]
pub struct Renderer {
    /// Names the rendering; change it whenever `element`'s output changes.
    pub version: &'static str,
    /// One upgrade as one line of JSON.
    pub element: fn(&Upgrade) -> String,
}

/// Every upgrade, from the cache where it matches the refs, else from git.
/// Sorted by id.
pub fn list(store: &Store<'_>, render: Renderer) -> Result<Vec<Entry>> {
    let mut tips: Vec<(String, ObjectId)> = Vec::new();
    let mut bad_refs: Vec<Entry> = Vec::new();
    for r in crate::refs::under(store.repo, NOTES_PREFIX)? {
        let r = r.map_err(|(_, e)| e.context("cannot read the queue's refs"))?;
        let id = r
            .name
            .strip_prefix(NOTES_PREFIX)
            .unwrap_or(&r.name)
            .to_string();
        match r.target {
            Some(tip) if crate::ids::validate_id(&id).is_ok() => tips.push((id, tip)),
            _ => bad_refs.push(Entry {
                id: id.clone(),
                tip: ObjectId::null(store.repo.object_hash()),
                data: Err("ref name is not a valid upgrade id, or the ref is symbolic".into()),
            }),
        }
    }
    // Both lists are in id order (refs are listed sorted): merge them.
    let cached = read_cache(store, render);
    let cached_count = cached.len();
    let mut cached = cached.into_iter().peekable();
    let mut stale: Vec<(String, ObjectId)> = Vec::new();
    let mut entries: Vec<Entry> = Vec::with_capacity(tips.len());
    for (id, tip) in &tips {
        while cached.peek().is_some_and(|e| e.id < *id) {
            cached.next();
        }
        match cached.next_if(|e| e.id == *id) {
            Some(e) if e.tip == *tip => entries.push(e),
            _ => stale.push((id.clone(), *tip)),
        }
    }
    drop(cached);
    let changed = !stale.is_empty() || entries.len() != cached_count;
    if changed {
        let dir = cache_path(store).parent().map(Path::to_path_buf);
        if !stale.is_empty() {
            // Fresh elements wait in a spill file beside the cache, not in
            // memory, until the new cache is written.
            let spill = dir.as_deref().and_then(|d| {
                std::fs::create_dir_all(d).ok()?;
                tempfile::tempfile_in(d).ok()
            });
            entries.extend(load_parallel(store, &stale, render, spill));
        }
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        // Best effort: a cache that cannot be written only costs speed.
        rewrite(&cache_path(store), &mut entries, render);
    }
    entries.extend(bad_refs);
    Ok(entries)
}

/// Write the cache file anew from `entries` and point them at it.
fn rewrite(path: &Path, entries: &mut [Entry], render: Renderer) {
    let Some(dir) = path.parent() else {
        return;
    };
    let _ = std::fs::create_dir_all(dir);
    let Ok(tmp) = tempfile::NamedTempFile::new_in(dir) else {
        return;
    };
    let mut writer = std::io::BufWriter::with_capacity(WINDOW, tmp);
    let Ok((data, placed)) = write_cache(&mut writer, entries, render) else {
        return;
    };
    let Ok(tmp) = writer.into_inner() else {
        return;
    };
    let Ok(file) = tmp.persist(path) else {
        return;
    };
    let section = Section::new(file, data.start, data.end - data.start);
    for (e, p) in entries.iter_mut().zip(placed) {
        if let (Ok(l), Some(p)) = (&mut e.data, p) {
            l.summary = Stored::File(section.clone(), p.summary);
            l.json = Stored::File(section.clone(), p.json);
        }
    }
}

/// One upgrade loaded from git, its JSON element still in memory.
fn load_one(store: &Store<'_>, id: &str, tip: ObjectId, render: Renderer) -> Entry {
    let data = store
        .load_at(id, tip)
        .map(|up| {
            let summary = serde_json::to_vec(&Summary::of(&up)).expect("plain data");
            Listing {
                state: up.record.state,
                proposed_at: up.record.proposed_at.clone(),
                updated_at: up.record.updated_at.clone(),
                summary: Stored::Mem(Arc::new(summary)),
                json: Stored::Mem(Arc::new((render.element)(&up).into_bytes())),
            }
        })
        .map_err(|e| e.to_string());
    Entry {
        id: id.to_string(),
        tip,
        data,
    }
}

/// Read records on every core (`store::parallel`); fresh summaries and
/// elements go to `spill` as they come, so memory holds only the index.
fn load_parallel(
    store: &Store<'_>,
    todo: &[(String, ObjectId)],
    render: Renderer,
    spill: Option<std::fs::File>,
) -> Vec<Entry> {
    let mut spill = Spill::new(spill);
    let mut out: Vec<Entry> = Vec::with_capacity(todo.len());
    crate::store::parallel::each(
        store,
        todo,
        |store, _, (id, tip)| load_one(store, id, *tip, render),
        |mut entry| {
            spill.park(out.len(), &mut entry);
            out.push(entry);
        },
    );
    // A spill file that could not be written (a full disk): read those
    // entries again, kept in memory this time.
    for n in spill.finish() {
        let (id, tip) = (out[n].id.clone(), out[n].tip);
        out[n] = load_one(store, &id, tip, render);
    }
    out
}
