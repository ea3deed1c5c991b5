//! The cache file's layout: header, data (the summaries, then the
//! elements, each in listing order), index (id order) and trailer; reading
//! it back and writing it.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use gix::ObjectId;

use super::stored::{Section, Stored};
use super::{cache_path, Entry, Listing, Renderer};
use crate::record::State;
use crate::store::Store;

pub(super) const MAGIC: &[u8] = b"git-upgrades cache 7\n";

/// The file's first bytes: the layout's version and the rendering's.
fn header(render: Renderer) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend(render.version.replace('\n', " ").as_bytes());
    out.push(b'\n');
    out
}

/// The trailer: where the index starts and how long it is.
pub(super) const FOOTER: u64 = 16;

/// The cache's entries, in id order; empty if absent, damaged or of
/// another format.
pub(super) fn read_cache(store: &Store<'_>, render: Renderer) -> Vec<Entry> {
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
    let data_start = magic.len() as u64;
    let mut head = vec![0u8; magic.len()];
    if size < data_start + FOOTER || file.read_exact(&mut head).is_err() || head != magic {
        return Vec::new();
    }
    let mut footer = [0u8; FOOTER as usize];
    if file.seek(SeekFrom::Start(size - FOOTER)).is_err() || file.read_exact(&mut footer).is_err() {
        return Vec::new();
    }
    let index_at = u64::from_le_bytes(footer[..8].try_into().unwrap_or_default());
    let index_len = u64::from_le_bytes(footer[8..].try_into().unwrap_or_default());
    if index_at < data_start || index_at.checked_add(index_len) != Some(size - FOOTER) {
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
    let section = Section::new(file, data_start, index_at - data_start);
    parse(&index, section).unwrap_or_default()
}

/// Index entries in id order; None if damaged, of another format, or pointing
/// outside the data section.
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
            let mut range = || -> Option<Range<u64>> {
                let at = u64::from_le_bytes(bytes[take(8)?].try_into().ok()?);
                let end = at.checked_add(u32_at(take(4)?)? as u64)?;
                (end <= section.len).then_some(at..end)
            };
            let summary = range()?;
            let json = range()?;
            Ok(Listing {
                state,
                proposed_at,
                updated_at,
                summary: Stored::File(section.clone(), summary),
                json: Stored::File(section.clone(), json),
            })
        };
        out.push(Entry { id, tip, data });
    }
    out.windows(2).all(|w| w[0].id < w[1].id).then_some(out)
}

/// The order of a listing (and of the cache's data, so that a listing
/// reads it front to back): by proposal time, then id; unreadable last.
pub fn listing_order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    fn key(e: &Entry) -> (bool, &str) {
        match &e.data {
            Ok(l) => (false, l.proposed_at.as_str()),
            Err(_) => (true, ""),
        }
    }
    key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
}

/// Where an entry's summary and element are in a written data section.
#[derive(Clone, Default)]
pub(super) struct Placed {
    pub(super) summary: Range<u64>,
    pub(super) json: Range<u64>,
}

/// Write the header, the data section (every readable entry's summary, then
/// every element, each copied one at a time from where it is now, in
/// listing order), the index (in id order) and the footer. Returns where the
/// data is in the file and where each readable entry was placed in it;
/// `Err` also if a summary or element could not be read back.
pub(super) fn write_cache(
    out: &mut dyn std::io::Write,
    entries: &[Entry],
    render: Renderer,
) -> std::io::Result<(Range<u64>, Vec<Option<Placed>>)> {
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
    // Summaries apart from elements: `status` reads the first, `list
    // --json` the second, each front to back.
    for json in [false, true] {
        for &n in &order {
            let Ok(l) = &entries[n].data else {
                continue;
            };
            let bytes = if json { l.json.get() } else { l.summary.get() };
            let bytes = bytes.ok_or_else(unreadable)?;
            out.write_all(&bytes)?;
            let range = data_len..data_len + bytes.len() as u64;
            data_len = range.end;
            let place = placed[n].get_or_insert_with(Placed::default);
            if json {
                place.json = range;
            } else {
                place.summary = range;
            }
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
                for r in [&p.summary, &p.json] {
                    out.write_all(&r.start.to_le_bytes())?;
                    out.write_all(&((r.end - r.start) as u32).to_le_bytes())?;
                }
                index_len += 24;
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
    let start = head.len() as u64;
    Ok((start..start + data_len, placed))
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
        let big = format!("[{}]", "7,".repeat(super::super::WINDOW) + "7");
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
                    assert_eq!(a.json().unwrap(), b.json().unwrap());
                    assert_eq!(a.summary.get(), b.summary.get());
                    assert_eq!(a.proposed_at, b.proposed_at);
                }
                (Err(a), Err(b)) => assert_eq!(a, b),
                _ => panic!("{}: readable in one, not the other", a.id),
            }
        }
        // Elements are in listing order: b2, d4, a1.
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
    fn a_cache_cut_short_while_read_is_an_error_not_a_null() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        let entries = vec![entry("a1", "2026-01-01T00:00:00Z", "{\"n\":1}")];
        write_cache(&mut std::fs::File::create(&path).unwrap(), &entries, RENDER).unwrap();
        let read = read_file(&path, RENDER);
        // Cut in place (a rewrite would rename a new file instead).
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(MAGIC.len() as u64)
            .unwrap();
        let listing = read[0].data.as_ref().unwrap();
        let err = listing.json().unwrap_err();
        assert!(err.to_string().contains("listing cache"), "{err}");
        assert!(listing.summary().is_err());
    }
}
