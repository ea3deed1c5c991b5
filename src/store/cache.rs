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

use std::path::PathBuf;

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::{Store, Upgrade, NOTES_PREFIX};
use crate::error::{Error, Result};
use crate::record::{State, TestResult};

const MAGIC: &[u8] = b"git-upgrades cache 5\n";

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
/// (parsed only when displayed) and the rendered JSON element.
#[derive(Debug, Clone)]
pub struct Listing {
    /// Lifecycle state.
    pub state: State,
    /// When proposed (RFC 3339).
    pub proposed_at: String,
    /// Last event (RFC 3339).
    pub updated_at: String,
    summary: Bytes,
    json: Bytes,
}

/// Bytes of a fresh rendering, of the cache's index (read at once) or of its
/// JSON section (read only when JSON is printed).
#[derive(Debug, Clone)]
enum Bytes {
    Mem(std::sync::Arc<Vec<u8>>, std::ops::Range<usize>),
    Lazy(std::sync::Arc<Section>, std::ops::Range<usize>),
}

/// The JSON section of the cache file, read on first use from the file
/// opened with the index (so a concurrent rewrite, which renames a new file
/// into place, cannot mix two versions).
#[derive(Debug)]
struct Section {
    file: std::sync::Mutex<Option<std::fs::File>>,
    start: u64,
    data: std::sync::OnceLock<Vec<u8>>,
}

impl Section {
    fn data(&self) -> &[u8] {
        self.data.get_or_init(|| {
            use std::io::{Read, Seek, SeekFrom};
            let mut out = Vec::new();
            if let Ok(mut guard) = self.file.lock() {
                if let Some(f) = guard.as_mut() {
                    if f.seek(SeekFrom::Start(self.start)).is_ok()
                        && f.read_to_end(&mut out).is_err()
                    {
                        out.clear();
                    }
                }
                *guard = None;
            }
            out
        })
    }
}

impl Bytes {
    fn owned(v: Vec<u8>) -> Bytes {
        let len = v.len();
        Bytes::Mem(std::sync::Arc::new(v), 0..len)
    }
    fn get(&self) -> &[u8] {
        match self {
            Bytes::Mem(b, r) => &b[r.clone()],
            // Ranges were checked against the file size when the index was read.
            Bytes::Lazy(s, r) => s.data().get(r.clone()).unwrap_or(b"null"),
        }
    }
}

impl Listing {
    /// The display summary.
    pub fn summary(&self) -> Result<Summary> {
        serde_json::from_slice(self.summary.get())
            .map_err(|e| Error::failure(format!("damaged cache entry: {e}")))
    }
    /// The upgrade object as one line of JSON.
    pub fn json(&self) -> &[u8] {
        self.json.get()
    }
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

/// The file's first bytes: the layout's version and the rendering's.
fn header(render: Renderer) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend(render.version.replace('\n', " ").as_bytes());
    out.push(b'\n');
    out
}

fn read_cache(store: &Store<'_>, render: Renderer) -> Vec<Entry> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(cache_path(store)) else {
        return Vec::new();
    };
    let Ok(size) = file.metadata().map(|m| m.len()) else {
        return Vec::new();
    };
    let magic = header(render);
    let mut head = vec![0u8; magic.len() + 8];
    if file.read_exact(&mut head).is_err() || !head.starts_with(&magic) {
        return Vec::new();
    }
    let index_len = u64::from_le_bytes(head[magic.len()..].try_into().unwrap_or_default());
    let json_start = (magic.len() as u64 + 8).saturating_add(index_len);
    if json_start > size {
        return Vec::new();
    }
    let mut index = Vec::new();
    if file
        .by_ref()
        .take(index_len)
        .read_to_end(&mut index)
        .is_err()
    {
        return Vec::new();
    }
    let section = std::sync::Arc::new(Section {
        file: std::sync::Mutex::new(Some(file)),
        start: json_start,
        data: std::sync::OnceLock::new(),
    });
    parse(std::sync::Arc::new(index), section, size - json_start).unwrap_or_default()
}

/// Index entries in id order; None if damaged, of another format, or pointing
/// outside a JSON section of `json_len` bytes.
fn parse(
    buf: std::sync::Arc<Vec<u8>>,
    section: std::sync::Arc<Section>,
    json_len: u64,
) -> Option<Vec<Entry>> {
    let bytes: &[u8] = &buf;
    let mut pos: usize = 0;
    let mut take = |n: usize| -> Option<std::ops::Range<usize>> {
        let end = pos.checked_add(n).filter(|e| *e <= bytes.len())?;
        let r = pos..end;
        pos = end;
        Some(r)
    };
    let u32_at = |r: std::ops::Range<usize>| -> Option<usize> {
        Some(u32::from_le_bytes(bytes[r].try_into().ok()?) as usize)
    };
    let count = u32_at(take(4)?)?;
    // Each entry takes at least 16 bytes: a damaged count cannot make us over-allocate.
    let mut out = Vec::with_capacity(count.min(bytes.len() / 16));
    for _ in 0..count {
        let id_len = u16::from_le_bytes(bytes[take(2)?].try_into().ok()?) as usize;
        let id = std::str::from_utf8(&bytes[take(id_len)?]).ok()?.to_string();
        let tip_len = bytes[take(1)?][0] as usize;
        let tip = ObjectId::try_from(&bytes[take(tip_len)?]).ok()?;
        let state = bytes[take(1)?][0];
        let mut field = || -> Option<std::ops::Range<usize>> {
            let len = u32_at(take(4)?)?;
            take(len)
        };
        let data = if state == 0 {
            Err(String::from_utf8_lossy(&bytes[field()?]).into_owned())
        } else {
            let state = *State::ALL.get(state as usize - 1)?;
            let proposed_at = std::str::from_utf8(&bytes[field()?]).ok()?.to_string();
            let updated_at = std::str::from_utf8(&bytes[field()?]).ok()?.to_string();
            let summary = Bytes::Mem(buf.clone(), field()?);
            let offset = u64::from_le_bytes(bytes[take(8)?].try_into().ok()?);
            let len = u32_at(take(4)?)? as u64;
            if offset.checked_add(len)? > json_len {
                return None;
            }
            let json = Bytes::Lazy(section.clone(), offset as usize..(offset + len) as usize);
            Ok(Listing {
                state,
                proposed_at,
                updated_at,
                summary,
                json,
            })
        };
        out.push(Entry { id, tip, data });
    }
    out.windows(2).all(|w| w[0].id < w[1].id).then_some(out)
}

/// Write MAGIC, index length, index (summaries and JSON offsets), then the
/// JSON section, streamed element by element (no second copy in memory).
fn write_cache(
    out: &mut dyn std::io::Write,
    entries: &[Entry],
    render: Renderer,
) -> std::io::Result<()> {
    fn text(out: &mut Vec<u8>, t: &[u8]) {
        out.extend((t.len() as u32).to_le_bytes());
        out.extend(t);
    }
    let mut index: Vec<u8> = Vec::new();
    let mut json_len: u64 = 0;
    index.extend((entries.len() as u32).to_le_bytes());
    for e in entries {
        index.extend((e.id.len() as u16).to_le_bytes());
        index.extend(e.id.as_bytes());
        index.push(e.tip.as_bytes().len() as u8);
        index.extend(e.tip.as_bytes());
        match &e.data {
            Ok(l) => {
                index.push(State::ALL.iter().position(|s| *s == l.state).unwrap_or(0) as u8 + 1);
                for t in [
                    l.proposed_at.as_bytes(),
                    l.updated_at.as_bytes(),
                    l.summary.get(),
                ] {
                    text(&mut index, t);
                }
                let element = l.json.get();
                index.extend(json_len.to_le_bytes());
                index.extend((element.len() as u32).to_le_bytes());
                json_len += element.len() as u64;
            }
            Err(why) => {
                index.push(0);
                text(&mut index, why.as_bytes());
            }
        }
    }
    out.write_all(&header(render))?;
    out.write_all(&(index.len() as u64).to_le_bytes())?;
    out.write_all(&index)?;
    for e in entries {
        if let Ok(l) = &e.data {
            out.write_all(l.json.get())?;
        }
    }
    out.flush()
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
    let changed = !stale.is_empty() || entries.len() != cached_count;
    if !stale.is_empty() {
        entries.extend(load_parallel(store, &stale, render));
    }
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    if changed {
        // Best effort: a cache that cannot be written only costs speed.
        let path = cache_path(store);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
            if let Ok(tmp) = tempfile::NamedTempFile::new_in(dir) {
                let mut writer = std::io::BufWriter::new(tmp);
                if write_cache(&mut writer, &entries, render).is_ok() {
                    if let Ok(tmp) = writer.into_inner() {
                        let _ = tmp.persist(&path);
                    }
                }
            }
        }
    }
    entries.extend(bad_refs);
    Ok(entries)
}

fn load_one(store: &Store<'_>, id: &str, tip: ObjectId, render: Renderer) -> Entry {
    let data = store
        .load_at(id, tip)
        .map(|up| Listing {
            state: up.record.state,
            proposed_at: up.record.proposed_at.clone(),
            updated_at: up.record.updated_at.clone(),
            summary: Bytes::owned(serde_json::to_vec(&Summary::of(&up)).expect("plain data")),
            json: Bytes::owned((render.element)(&up).into_bytes()),
        })
        .map_err(|e| e.to_string());
    Entry {
        id: id.to_string(),
        tip,
        data,
    }
}

/// Read records on up to two threads: the work is inflating objects.
fn load_parallel(store: &Store<'_>, todo: &[(String, ObjectId)], render: Renderer) -> Vec<Entry> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    if todo.len() < 64 || threads < 2 {
        return todo
            .iter()
            .map(|(id, tip)| load_one(store, id, *tip, render))
            .collect();
    }
    let chunk = todo.len().div_ceil(threads);
    let sync_repo = store.repo.clone().into_sync();
    std::thread::scope(|s| {
        let handles: Vec<_> = todo
            .chunks(chunk)
            .map(|part| {
                let sync_repo = sync_repo.clone();
                s.spawn(move || {
                    let mut repo = sync_repo.to_thread_local();
                    crate::repo::tune(&mut repo);
                    let store = Store::new(&repo);
                    part.iter()
                        .map(|(id, tip)| load_one(&store, id, *tip, render))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_indexes_are_ignored() {
        let indexes: [&[u8]; 4] = [
            b"",
            b"garbage",
            b"\xff\xff\xff\xff",
            b"\x01\x00\x00\x00\x02\x00ab",
        ];
        for bytes in indexes {
            let section = std::sync::Arc::new(Section {
                file: std::sync::Mutex::new(None),
                start: 0,
                data: std::sync::OnceLock::new(),
            });
            assert!(
                parse(std::sync::Arc::new(bytes.to_vec()), section, 0).is_none_or(|v| v.is_empty())
            );
        }
    }
}
