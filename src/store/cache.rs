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

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use super::{Store, Upgrade, NOTES_PREFIX};
use crate::error::{Error, Result};
use crate::record::{State, TestResult};

const MAGIC: &[u8] = b"git-upgrades cache 6\n";

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

/// Where a summary or a JSON element is. Both stay on disk (the cache file,
/// or a spill file while a listing is rebuilt) and are read one at a time,
/// so a listing holds only the index in memory.
#[derive(Debug, Clone)]
enum Stored {
    /// Kept in memory: freshly made, or no file could be written (a
    /// read-only repository).
    Mem(Arc<Vec<u8>>),
    /// A range of a file section.
    File(Arc<Section>, Range<u64>),
}

/// A section of an open file holding JSON elements, read through a small
/// window: elements read in the order they were written cost one read per
/// window, not one per element. The file is the one opened (or written)
/// with the index, so a concurrent rewrite, which renames a new file into
/// place, cannot mix two versions.
#[derive(Debug)]
struct Section {
    file: std::fs::File,
    start: u64,
    len: u64,
    window: std::sync::Mutex<(u64, Vec<u8>)>,
}

/// Bytes read at once from a section when reading on past the window.
const WINDOW: usize = 32 << 10;
/// Bytes read at once after a jump (enough for a summary and its element).
const JUMP: usize = 4 << 10;

impl Section {
    fn new(file: std::fs::File, start: u64, len: u64) -> Arc<Section> {
        Arc::new(Section {
            file,
            start,
            len,
            window: std::sync::Mutex::new((0, Vec::new())),
        })
    }

    /// The bytes at `r` (relative to the section), or None if unreadable.
    fn read(&self, r: &Range<u64>) -> Option<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        if r.start > r.end || r.end > self.len {
            return None;
        }
        let n = (r.end - r.start) as usize;
        let mut window = self.window.lock().ok()?;
        let (at, buf) = &mut *window;
        if r.start >= *at && r.end <= *at + buf.len() as u64 {
            let from = (r.start - *at) as usize;
            return Some(buf[from..from + n].to_vec());
        }
        if n > WINDOW / 2 {
            let mut out = vec![0; n];
            self.file
                .read_exact_at(&mut out, self.start + r.start)
                .ok()?;
            return Some(out);
        }
        // Reading on from the window (a listing, front to back) fills a
        // whole window; a jump elsewhere (fresh entries, read in listing
        // order from a spill written in load order) reads a little. The
        // window fills as far as the file goes: a spill file's section has
        // no fixed end.
        let onward = !buf.is_empty() && r.start >= *at && r.start <= *at + buf.len() as u64;
        let want = if onward || buf.is_empty() {
            WINDOW
        } else {
            JUMP.max(n)
        };
        buf.resize(want.min((self.len - r.start) as usize), 0);
        let mut filled = 0;
        while filled < buf.len() {
            match self
                .file
                .read_at(&mut buf[filled..], self.start + r.start + filled as u64)
            {
                Ok(0) => break,
                Ok(k) => filled += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        buf.truncate(filled);
        *at = r.start;
        (filled >= n).then(|| buf[..n].to_vec())
    }
}

impl Stored {
    /// The bytes; None if the file cannot be read (ranges were checked
    /// against the section when it was made).
    fn get(&self) -> Option<Vec<u8>> {
        match self {
            Stored::Mem(b) => Some(b.to_vec()),
            Stored::File(s, r) => s.read(r),
        }
    }
}

impl Listing {
    /// The display summary.
    pub fn summary(&self) -> Result<Summary> {
        let bytes = self
            .summary
            .get()
            .ok_or_else(|| Error::failure("cannot read the listing cache"))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::failure(format!("damaged cache entry: {e}")))
    }
    /// The upgrade object as one line of JSON, read from where it is kept.
    pub fn json(&self) -> Vec<u8> {
        self.json.get().unwrap_or_else(|| b"null".to_vec())
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

/// The trailer: where the index starts and how long it is.
const FOOTER: u64 = 16;

/// The cache's entries, in id order; empty if absent, damaged or of
/// another format.
fn read_cache(store: &Store<'_>, render: Renderer) -> Vec<Entry> {
    read_file(&cache_path(store), render)
}

/// [`read_cache`] of the file at `path`.
fn read_file(path: &Path, render: Renderer) -> Vec<Entry> {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let Ok(size) = file.metadata().map(|m| m.len()) else {
        return Vec::new();
    };
    let magic = header(render);
    let json_start = magic.len() as u64;
    let mut head = vec![0u8; magic.len()];
    if size < json_start + FOOTER || file.read_exact(&mut head).is_err() || head != magic {
        return Vec::new();
    }
    let mut footer = [0u8; FOOTER as usize];
    if file.seek(SeekFrom::Start(size - FOOTER)).is_err() || file.read_exact(&mut footer).is_err() {
        return Vec::new();
    }
    let index_at = u64::from_le_bytes(footer[..8].try_into().unwrap_or_default());
    let index_len = u64::from_le_bytes(footer[8..].try_into().unwrap_or_default());
    if index_at < json_start || index_at.checked_add(index_len) != Some(size - FOOTER) {
        return Vec::new();
    }
    let mut index = Vec::new();
    if file.seek(SeekFrom::Start(index_at)).is_err()
        || file
            .by_ref()
            .take(index_len)
            .read_to_end(&mut index)
            .is_err()
    {
        return Vec::new();
    }
    let section = Section::new(file, json_start, index_at - json_start);
    parse(&index, section).unwrap_or_default()
}

/// Index entries in id order; None if damaged, of another format, or pointing
/// outside the JSON section.
fn parse(bytes: &[u8], section: Arc<Section>) -> Option<Vec<Entry>> {
    let mut pos: usize = 0;
    let mut take = |n: usize| -> Option<Range<usize>> {
        let end = pos.checked_add(n).filter(|e| *e <= bytes.len())?;
        let r = pos..end;
        pos = end;
        Some(r)
    };
    let u32_at = |r: Range<usize>| -> Option<usize> {
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
        let mut field = || -> Option<Range<usize>> {
            let len = u32_at(take(4)?)?;
            take(len)
        };
        let data = if state == 0 {
            Err(String::from_utf8_lossy(&bytes[field()?]).into_owned())
        } else {
            let state = *State::ALL.get(state as usize - 1)?;
            let proposed_at = std::str::from_utf8(&bytes[field()?]).ok()?.to_string();
            let updated_at = std::str::from_utf8(&bytes[field()?]).ok()?.to_string();
            let offset = u64::from_le_bytes(bytes[take(8)?].try_into().ok()?);
            let summary_len = u32_at(take(4)?)? as u64;
            let json_len = u32_at(take(4)?)? as u64;
            let json_at = offset.checked_add(summary_len)?;
            if json_at.checked_add(json_len)? > section.len {
                return None;
            }
            Ok(Listing {
                state,
                proposed_at,
                updated_at,
                summary: Stored::File(section.clone(), offset..json_at),
                json: Stored::File(section.clone(), json_at..json_at + json_len),
            })
        };
        out.push(Entry { id, tip, data });
    }
    out.windows(2).all(|w| w[0].id < w[1].id).then_some(out)
}

/// The order of a listing (and of the cache's JSON section, so that a
/// listing reads it front to back): by proposal time, then id.
fn listing_order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    let key = |e: &Entry| match &e.data {
        Ok(l) => (0, l.proposed_at.clone()),
        Err(_) => (1, String::new()),
    };
    key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
}

/// An entry's place in a written data section: its summary, then its
/// element, adjacent.
#[derive(Clone)]
struct Placed {
    at: u64,
    summary_len: u64,
    json_len: u64,
}

/// Write the header, the data section (each readable entry's summary and
/// element, copied one at a time from where they are now, in listing order),
/// the index (in id order) and the footer. Returns where each readable entry
/// was placed; `Err` also if a summary or element could not be read back.
fn write_cache(
    out: &mut dyn std::io::Write,
    entries: &[Entry],
    render: Renderer,
) -> std::io::Result<Vec<Option<Placed>>> {
    fn text(out: &mut dyn std::io::Write, t: &[u8]) -> std::io::Result<u64> {
        out.write_all(&(t.len() as u32).to_le_bytes())?;
        out.write_all(t)?;
        Ok(4 + t.len() as u64)
    }
    let unreadable = || std::io::Error::other("a listing entry could not be read back");
    let head = header(render);
    out.write_all(&head)?;
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|a, b| listing_order(&entries[*a], &entries[*b]));
    let mut placed: Vec<Option<Placed>> = vec![None; entries.len()];
    let mut data_len: u64 = 0;
    for n in order {
        if let Ok(l) = &entries[n].data {
            let summary = l.summary.get().ok_or_else(unreadable)?;
            let element = l.json.get().ok_or_else(unreadable)?;
            out.write_all(&summary)?;
            out.write_all(&element)?;
            placed[n] = Some(Placed {
                at: data_len,
                summary_len: summary.len() as u64,
                json_len: element.len() as u64,
            });
            data_len += (summary.len() + element.len()) as u64;
        }
    }
    // The index, streamed: at most one entry of it is in memory at a time.
    let mut index_len: u64 = 4;
    out.write_all(&(entries.len() as u32).to_le_bytes())?;
    for (e, place) in entries.iter().zip(&placed) {
        out.write_all(&(e.id.len() as u16).to_le_bytes())?;
        out.write_all(e.id.as_bytes())?;
        out.write_all(&[e.tip.as_bytes().len() as u8])?;
        out.write_all(e.tip.as_bytes())?;
        index_len += 2 + e.id.len() as u64 + 1 + e.tip.as_bytes().len() as u64 + 1;
        match (&e.data, place) {
            (Ok(l), Some(p)) => {
                let state = State::ALL.iter().position(|s| *s == l.state).unwrap_or(0) as u8 + 1;
                out.write_all(&[state])?;
                index_len += text(out, l.proposed_at.as_bytes())?;
                index_len += text(out, l.updated_at.as_bytes())?;
                out.write_all(&p.at.to_le_bytes())?;
                out.write_all(&(p.summary_len as u32).to_le_bytes())?;
                out.write_all(&(p.json_len as u32).to_le_bytes())?;
                index_len += 16;
            }
            (Err(why), _) => {
                out.write_all(&[0])?;
                index_len += text(out, why.as_bytes())?;
            }
            (Ok(_), None) => return Err(unreadable()),
        }
    }
    out.write_all(&(head.len() as u64 + data_len).to_le_bytes())?;
    out.write_all(&index_len.to_le_bytes())?;
    out.flush()?;
    Ok(placed)
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
        if let Some(dir) = dir {
            rewrite(&dir, &cache_path(store), &mut entries, render);
        }
    }
    entries.extend(bad_refs);
    Ok(entries)
}

/// Write the cache file anew from `entries` and point them at it.
fn rewrite(dir: &Path, path: &Path, entries: &mut [Entry], render: Renderer) {
    let _ = std::fs::create_dir_all(dir);
    let Ok(tmp) = tempfile::NamedTempFile::new_in(dir) else {
        return;
    };
    let mut writer = std::io::BufWriter::with_capacity(WINDOW, tmp);
    let Ok(placed) = write_cache(&mut writer, entries, render) else {
        return;
    };
    let Ok(tmp) = writer.into_inner() else {
        return;
    };
    let Ok(file) = tmp.persist(path) else {
        return;
    };
    let start = header(render).len() as u64;
    let data_len = placed
        .iter()
        .flatten()
        .map(|p| p.at + p.summary_len + p.json_len)
        .max()
        .unwrap_or(0);
    let section = Section::new(file, start, data_len);
    for (e, p) in entries.iter_mut().zip(placed) {
        if let (Ok(l), Some(p)) = (&mut e.data, p) {
            let json_at = p.at + p.summary_len;
            l.summary = Stored::File(section.clone(), p.at..json_at);
            l.json = Stored::File(section.clone(), json_at..json_at + p.json_len);
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

/// Where fresh summaries and elements go as they are made, until the new
/// cache is written: an unnamed file beside the cache. An entry parked
/// there holds only where its bytes are.
struct Spill {
    writer: Option<std::io::BufWriter<std::fs::File>>,
    /// The same file, for reading (after [`Spill::finish`]).
    section: Option<Arc<Section>>,
    len: u64,
    /// Entries (by index) whose bytes are in the file.
    parked: Vec<usize>,
    failed: bool,
}

impl Spill {
    fn new(file: Option<std::fs::File>) -> Spill {
        let pair = file.and_then(|f| {
            let reader = f.try_clone().ok()?;
            Some((
                std::io::BufWriter::with_capacity(WINDOW, f),
                Section::new(reader, 0, u64::MAX),
            ))
        });
        let (writer, section) = pair.unzip();
        Spill {
            writer,
            section,
            len: 0,
            parked: Vec::new(),
            failed: false,
        }
    }

    /// Move entry `n`'s summary and element into the file. If it cannot be
    /// written, the entry keeps them in memory (and so do later ones).
    fn park(&mut self, n: usize, entry: &mut Entry) {
        use std::io::Write;
        let (Some(writer), Some(section), Ok(l)) =
            (&mut self.writer, &self.section, &mut entry.data)
        else {
            return;
        };
        let (Stored::Mem(summary), Stored::Mem(element)) = (&l.summary, &l.json) else {
            return;
        };
        if writer
            .write_all(summary)
            .and_then(|()| writer.write_all(element))
            .is_err()
        {
            self.writer = None;
            self.failed = true;
            return;
        }
        let json_at = self.len + summary.len() as u64;
        let end = json_at + element.len() as u64;
        l.summary = Stored::File(section.clone(), self.len..json_at);
        l.json = Stored::File(section.clone(), json_at..end);
        self.len = end;
        self.parked.push(n);
    }

    /// Flush the file. Returns the entries whose bytes did not reach it
    /// (all parked ones if writing failed), which must be read again.
    fn finish(self) -> Vec<usize> {
        let flushed = self.writer.is_none_or(|w| w.into_inner().is_ok());
        if flushed && !self.failed {
            Vec::new()
        } else {
            self.parked
        }
    }
}

/// Read records on up to two threads (the work is inflating objects); the
/// rendered elements go to `spill` as they come, so memory holds only the
/// summaries.
fn load_parallel(
    store: &Store<'_>,
    todo: &[(String, ObjectId)],
    render: Renderer,
    spill: Option<std::fs::File>,
) -> Vec<Entry> {
    let mut spill = Spill::new(spill);
    let mut out: Vec<Entry> = Vec::with_capacity(todo.len());
    let mut take = |mut entry: Entry| {
        spill.park(out.len(), &mut entry);
        out.push(entry);
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    if todo.len() < 64 || threads < 2 {
        for (id, tip) in todo {
            take(load_one(store, id, *tip, render));
        }
    } else {
        let chunk = todo.len().div_ceil(threads);
        let sync_repo = store.repo.clone().into_sync();
        let (send, receive) = std::sync::mpsc::sync_channel::<Entry>(256);
        std::thread::scope(|s| {
            for part in todo.chunks(chunk) {
                let sync_repo = sync_repo.clone();
                let send = send.clone();
                s.spawn(move || {
                    let mut repo = sync_repo.to_thread_local();
                    crate::repo::tune(&mut repo);
                    let store = Store::new(&repo);
                    for (id, tip) in part {
                        if send.send(load_one(&store, id, *tip, render)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(send);
            for entry in receive {
                take(entry);
            }
        });
    }
    // A spill file that could not be written (a full disk): read those
    // entries again, kept in memory this time.
    for n in spill.finish() {
        let (id, tip) = (out[n].id.clone(), out[n].tip);
        out[n] = load_one(store, &id, tip, render);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RENDER: Renderer = Renderer {
        version: "test 1",
        element: |up| format!("{{\"id\":\"{}\"}}", up.id),
    };

    fn entry(id: &str, proposed_at: &str, json: &str) -> Entry {
        let summary = format!("{{\"for\":\"{id}\"}}").into_bytes();
        Entry {
            id: id.into(),
            tip: ObjectId::null(gix::hash::Kind::Sha1),
            data: Ok(Listing {
                state: State::Proposed,
                proposed_at: proposed_at.into(),
                updated_at: proposed_at.into(),
                summary: Stored::Mem(Arc::new(summary)),
                json: Stored::Mem(Arc::new(json.as_bytes().to_vec())),
            }),
        }
    }

    #[test]
    fn damaged_indexes_are_ignored() {
        let indexes: [&[u8]; 4] = [
            b"",
            b"garbage",
            b"\xff\xff\xff\xff",
            b"\x01\x00\x00\x00\x02\x00ab",
        ];
        for bytes in indexes {
            let section = Section::new(tempfile::tempfile().unwrap(), 0, 0);
            assert!(parse(bytes, section).is_none_or(|v| v.is_empty()));
        }
    }

    #[test]
    fn a_written_cache_reads_back_with_its_elements_in_listing_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        // In id order, proposed in another order; elements bigger than
        // half a window are read on their own.
        let big = format!("[{}]", "7,".repeat(WINDOW) + "7");
        let entries = vec![
            entry("a1", "2026-03-01T00:00:00Z", "{\"n\":1}"),
            entry("b2", "2026-01-01T00:00:00Z", &big),
            Entry {
                id: "c3".into(),
                tip: ObjectId::null(gix::hash::Kind::Sha1),
                data: Err("damaged".into()),
            },
            entry("d4", "2026-02-01T00:00:00Z", "{\"n\":4}"),
        ];
        let mut file = std::fs::File::create(&path).unwrap();
        write_cache(&mut file, &entries, RENDER).unwrap();
        let read = read_file(&path, RENDER);
        assert_eq!(read.len(), 4);
        for (a, b) in entries.iter().zip(&read) {
            assert_eq!(a.id, b.id);
            match (&a.data, &b.data) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.json(), b.json());
                    assert_eq!(a.summary.get(), b.summary.get());
                    assert_eq!(a.proposed_at, b.proposed_at);
                }
                (Err(a), Err(b)) => assert_eq!(a, b),
                _ => panic!("{}: readable in one, not the other", a.id),
            }
        }
        // The JSON section is in listing order: b2, d4, a1.
        let offsets: Vec<u64> = ["b2", "d4", "a1"]
            .iter()
            .map(|id| {
                let e = read.iter().find(|e| e.id == *id).unwrap();
                match &e.data.as_ref().unwrap().json {
                    Stored::File(_, r) => r.start,
                    Stored::Mem(_) => panic!("read from the file"),
                }
            })
            .collect();
        assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
        // Another rendering's file is not used.
        let other = Renderer {
            version: "test 2",
            ..RENDER
        };
        assert!(read_file(&path, other).is_empty());
        // Nor is a cut one.
        let bytes = std::fs::read(&path).unwrap();
        for cut in [1, 8, 17, bytes.len() / 2] {
            std::fs::write(&path, &bytes[..bytes.len() - cut]).unwrap();
            assert!(read_file(&path, RENDER).is_empty(), "cut by {cut}");
        }
    }

    #[test]
    fn a_section_reads_any_range_in_any_order() {
        use std::io::Write;
        let data: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"head").unwrap();
        file.write_all(&data).unwrap();
        let section = Section::new(file, 4, data.len() as u64);
        let ranges = [
            0..10,
            10..5000,
            199_990..200_000,
            3..4,
            50_000..50_000 + WINDOW as u64,
            0..0,
            100..120_000,
        ];
        for r in ranges {
            assert_eq!(
                section.read(&r).unwrap(),
                &data[r.start as usize..r.end as usize]
            );
        }
        assert!(section.read(&(199_990..200_001)).is_none());
        // A section without a fixed end (a spill file) reads what is there.
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&data[..100]).unwrap();
        let open_ended = Section::new(file, 0, u64::MAX);
        assert_eq!(open_ended.read(&(90..100)).unwrap(), &data[90..100]);
        assert!(open_ended.read(&(90..101)).is_none());
    }
}
