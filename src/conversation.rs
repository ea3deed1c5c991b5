//! Where the review conversation stands on the current revision: each
//! comment placed on the line it is about now, or marked outdated when that
//! line (or file) changed since the revision it was written on; and which
//! revision a reviewer last saw. Computed from the replayed chain and the
//! revisions' trees (kept reachable by the notes tree, `store::revisions`);
//! no printing here (`ui::conversation` renders it).

use std::collections::HashMap;

use gix::ObjectId;

use crate::diff::{self, FileText};
use crate::error::Result;
use crate::replay::{CommentFact, History};
use crate::repo::email_of;
use crate::store::Store;

/// One comment, placed on the current revision.
#[derive(Debug, Clone)]
pub struct Placed<'h> {
    /// The comment.
    pub comment: &'h CommentFact,
    /// The revision it was written on.
    pub revision: u64,
    /// The first comment of its thread (itself for a thread's start).
    pub root: ObjectId,
    /// Where its line is in the current revision (None for general and
    /// file comments, and outdated ones).
    pub current_line: Option<u64>,
    /// Its line (or, for a file comment, its file) changed since its revision.
    pub outdated: bool,
}

/// File contents by (commit, path), read once.
pub struct Files<'a> {
    store: &'a Store<'a>,
    tip: ObjectId,
    trees: HashMap<String, Option<ObjectId>>,
    texts: HashMap<(ObjectId, String), FileText>,
}

impl<'a> Files<'a> {
    /// Files of the revisions of the upgrade whose notes tip is `tip`.
    pub fn new(store: &'a Store<'a>, tip: ObjectId) -> Self {
        Files {
            store,
            tip,
            trees: HashMap::new(),
            texts: HashMap::new(),
        }
    }

    /// The repository.
    pub fn repo(&self) -> &'a gix::Repository {
        self.store.repo
    }

    /// The tree of a revision's head or base (None when it was never here).
    pub fn tree(&mut self, commit: &str) -> Option<ObjectId> {
        if let Some(t) = self.trees.get(commit) {
            return *t;
        }
        let t = self.store.revision_tree(self.tip, commit).ok();
        self.trees.insert(commit.to_string(), t);
        t
    }

    /// The file at `path` in commit `commit` (a revision's head or base).
    pub fn file(&mut self, commit: &str, path: &str) -> Result<&FileText> {
        let Some(tree) = self.tree(commit) else {
            return Ok(&FileText::Missing);
        };
        let key = (tree, path.to_string());
        if !self.texts.contains_key(&key) {
            let text = diff::file_at(self.store.repo, tree, path)?;
            self.texts.insert(key.clone(), text);
        }
        Ok(&self.texts[&key])
    }

    /// The blob of `path` in commit `commit`, if any.
    fn blob(&mut self, commit: &str, path: &str) -> Result<Option<ObjectId>> {
        match self.tree(commit) {
            Some(tree) => diff::blob_at(self.store.repo, tree, path),
            None => Ok(None),
        }
    }
}

/// Every comment of `h`, in chain order, placed on the current revision.
pub fn place<'h>(files: &mut Files<'_>, h: &'h History) -> Result<Vec<Placed<'h>>> {
    let mut maps: HashMap<(String, String), Vec<Option<usize>>> = HashMap::new();
    let mut placed: Vec<Placed<'h>> = Vec::with_capacity(h.comments.len());
    for c in &h.comments {
        let revision = h.revision_of(&c.head).unwrap_or(1);
        let root = h.thread_root(c.id).map_or(c.id, |r| r.id);
        // Replies sit with the comment they answer.
        if root != c.id {
            if let Some(p) = placed.iter().find(|p| p.comment.id == root) {
                let (current_line, outdated) = (p.current_line, p.outdated);
                placed.push(Placed {
                    comment: c,
                    revision,
                    root,
                    current_line,
                    outdated,
                });
                continue;
            }
        }
        let (current_line, outdated) = match (&c.file, c.line) {
            (None, _) => (None, false),
            (Some(path), None) => {
                let same =
                    c.head == h.head || files.blob(&c.head, path)? == files.blob(&h.head, path)?;
                (None, !same)
            }
            (Some(_), Some(line)) if c.head == h.head => (Some(line), false),
            (Some(path), Some(line)) => {
                let key = (c.head.clone(), path.clone());
                if !maps.contains_key(&key) {
                    let old = files.file(&c.head, path)?.text().map(str::to_string);
                    let new = files.file(&h.head, path)?.text().map(str::to_string);
                    let map = match (old, new) {
                        (Some(o), Some(n)) => diff::line_map(&o, &n),
                        _ => Vec::new(),
                    };
                    maps.insert(key.clone(), map);
                }
                match maps[&key].get(line as usize - 1).copied().flatten() {
                    Some(now) => (Some(now as u64 + 1), false),
                    None => (None, true),
                }
            }
        };
        placed.push(Placed {
            comment: c,
            revision,
            root,
            current_line,
            outdated,
        });
    }
    Ok(placed)
}

/// The last revision `identity` (by email) commented on, asked changes of or
/// approved; None when they have not taken part yet.
pub fn last_seen(h: &History, identity: &str) -> Option<u64> {
    let me = email_of(identity);
    let comments = h
        .comments
        .iter()
        .filter(|c| email_of(&c.by) == me)
        .map(|c| c.head.as_str());
    let requests = h
        .change_requests
        .iter()
        .filter(|r| email_of(&r.by) == me)
        .map(|r| r.head.as_str());
    // A carried approval was given on the head it was carried from.
    let approvals = h
        .approvals
        .iter()
        .filter(|a| email_of(&a.by) == me)
        .map(|a| {
            a.carried_from
                .as_ref()
                .map_or(a.head.as_str(), |(head, _)| head.as_str())
        });
    comments
        .chain(requests)
        .chain(approvals)
        .filter_map(|head| h.revision_of(head))
        .max()
}
