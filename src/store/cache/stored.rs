//! Where a listing's summaries and elements are: in memory, in the cache
//! file, or in the spill file of a rebuild; read through a small window.

use std::ops::Range;
use std::sync::Arc;

use super::Entry;

/// Where a summary or a JSON element is. Both stay on disk (the cache file,
/// or a spill file while a listing is rebuilt) and are read one at a time,
/// so a listing holds only the index in memory.
#[derive(Debug, Clone)]
pub(super) enum Stored {
    /// Kept in memory: freshly made, or no file could be written (a
    /// read-only repository).
    Mem(Arc<Vec<u8>>),
    /// A range of a file section.
    File(Arc<Section>, Range<u64>),
}

/// A section of an open file holding summaries and elements, read through a small
/// window: elements read in the order they were written cost one read per
/// window, not one per element. The file is the one opened (or written)
/// with the index, so a concurrent rewrite, which renames a new file into
/// place, cannot mix two versions.
#[derive(Debug)]
pub(super) struct Section {
    file: std::fs::File,
    start: u64,
    pub(super) len: u64,
    window: std::sync::Mutex<(u64, Vec<u8>)>,
}

/// Bytes read at once from a section when reading on past the window.
pub(super) const WINDOW: usize = 32 << 10;
/// Bytes read at once after a jump (enough for a summary and its element).
pub(super) const JUMP: usize = 4 << 10;

impl Section {
    pub(super) fn new(file: std::fs::File, start: u64, len: u64) -> Arc<Section> {
        Arc::new(Section {
            file,
            start,
            len,
            window: std::sync::Mutex::new((0, Vec::new())),
        })
    }

    /// The bytes at `r` (relative to the section), or None if unreadable.
    pub(super) fn read(&self, r: &Range<u64>) -> Option<Vec<u8>> {
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
        // Reading on from the window, or skipping ahead by less than a
        // window (a listing front to back; the summaries of open upgrades
        // among closed ones) fills a whole window; a jump elsewhere (fresh
        // entries, read in listing order from a spill written in load
        // order) reads a little. The window fills as far as the file goes:
        // a spill file's section has no fixed end.
        let onward =
            !buf.is_empty() && r.start >= *at && r.start <= *at + (buf.len() + WINDOW) as u64;
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
    pub(super) fn get(&self) -> Option<Vec<u8>> {
        match self {
            Stored::Mem(b) => Some(b.to_vec()),
            Stored::File(s, r) => s.read(r),
        }
    }
}

/// Where fresh summaries and elements go as they are made, until the new
/// cache is written: an unnamed file beside the cache. An entry parked
/// there holds only where its bytes are.
pub(super) struct Spill {
    writer: Option<std::io::BufWriter<std::fs::File>>,
    /// The same file, for reading (after [`Spill::finish`]).
    section: Option<Arc<Section>>,
    len: u64,
    /// Entries (by index) whose bytes are in the file.
    parked: Vec<usize>,
}

impl Spill {
    pub(super) fn new(file: Option<std::fs::File>) -> Spill {
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
        }
    }

    /// Move entry `n`'s summary and element into the file. If it cannot be
    /// written, the entry keeps them in memory (and so do later ones).
    pub(super) fn park(&mut self, n: usize, entry: &mut Entry) {
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
            // Without a writer, `finish` hands back what was parked.
            self.writer = None;
            return;
        }
        let json_at = self.len + summary.len() as u64;
        let end = json_at + element.len() as u64;
        l.summary = Stored::File(section.clone(), self.len..json_at);
        l.json = Stored::File(section.clone(), json_at..end);
        self.len = end;
        self.parked.push(n);
    }

    /// Flush the file. Returns the entries whose bytes may not have reached
    /// it (every parked one, if any write failed), to be read again.
    pub(super) fn finish(self) -> Vec<usize> {
        match self.writer.map(|w| w.into_inner().is_ok()) {
            Some(true) => Vec::new(),
            _ => self.parked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(id: &str) -> Entry {
        Entry {
            id: id.into(),
            tip: gix::ObjectId::null(gix::hash::Kind::Sha1),
            data: Ok(super::super::Listing {
                state: crate::record::State::Proposed,
                proposed_at: String::new(),
                updated_at: String::new(),
                summary: Stored::Mem(Arc::new(format!("summary of {id}").into_bytes())),
                json: Stored::Mem(Arc::new(format!("{{\"id\":\"{id}\"}}").into_bytes())),
            }),
        }
    }

    fn bytes(e: &Entry) -> (Vec<u8>, Vec<u8>, bool) {
        let l = e.data.as_ref().unwrap();
        let on_disk = matches!((&l.summary, &l.json), (Stored::File(..), Stored::File(..)));
        (l.summary.get().unwrap(), l.json.get().unwrap(), on_disk)
    }

    #[test]
    fn parked_entries_read_back_from_the_spill_file() {
        let mut spill = Spill::new(Some(tempfile::tempfile().unwrap()));
        let mut entries: Vec<Entry> = ["a", "b", "c"].iter().map(|id| fresh(id)).collect();
        let before: Vec<_> = entries.iter().map(bytes).collect();
        for (n, e) in entries.iter_mut().enumerate() {
            spill.park(n, e);
        }
        assert!(spill.finish().is_empty());
        for (e, (summary, json, _)) in entries.iter().zip(before) {
            assert_eq!(bytes(e), (summary, json, true));
        }
    }

    #[test]
    fn a_spill_that_cannot_be_written_leaves_entries_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), b"").unwrap();
        // Opened for reading only: every write fails.
        let read_only = std::fs::File::open(dir.path().join("f")).unwrap();
        let mut spill = Spill::new(Some(read_only));
        let mut entries: Vec<Entry> = (0..3000).map(|n| fresh(&format!("u{n}"))).collect();
        for (n, e) in entries.iter_mut().enumerate() {
            spill.park(n, e);
        }
        // Entries parked before the failure showed (buffered writes) are
        // handed back to be read again; the rest never left memory.
        let again = spill.finish();
        for (n, e) in entries.iter().enumerate() {
            let (_, _, on_disk) = bytes_or_null(e);
            assert_eq!(on_disk, again.contains(&n), "entry {n}");
        }
        assert!(entries.iter().enumerate().any(|(n, _)| !again.contains(&n)));
    }

    /// Like `bytes`, for entries whose file could not be written.
    fn bytes_or_null(e: &Entry) -> (Option<Vec<u8>>, Option<Vec<u8>>, bool) {
        let l = e.data.as_ref().unwrap();
        let on_disk = matches!((&l.summary, &l.json), (Stored::File(..), Stored::File(..)));
        (l.summary.get(), l.json.get(), on_disk)
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
