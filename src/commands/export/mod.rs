//! `git upgrades export --html <dir>`: the queue as a static dashboard.
//!
//! The queue is read as `status` reads it (the listing cache, validated
//! against the refs); each upgrade that gets a page is loaded again with its
//! replayed events, its change recomputed from the trees and its approvals
//! judged by the target's committed policy, as `show` does. Pages are
//! rendered on up to four threads by `ui::html` and written through
//! `output::Staging`, so a failed export leaves nothing half-written.

mod output;

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Args;
use gix::ObjectId;
use serde::Deserialize;

use crate::config::Policy;
use crate::error::Result;
use crate::record::State;
use crate::store::cache::{self, Entry, Listing};
use crate::store::Store;
use crate::ui::html::{self, upgrade, Chrome, Queue, Row};
use crate::ui::json::{ExportJson, JSON_FORMAT};
use crate::ui::Ui;

pub use output::MARKER;

/// Diff lines shown on an upgrade's page; `git upgrades diff` shows all.
pub const MAX_PAGE_DIFF_LINES: usize = 5000;

/// Write the queue as a static HTML dashboard into a directory
///
/// Writes index.html (the pending upgrades, with their count in the header,
/// then the history), u/<id>.html for every open upgrade and for the most
/// recently closed ones (--closed-pages), and style.css. The pages need no
/// server, no network and no JavaScript: open index.html from the file system
/// or publish the directory as it is. <DIR> is created if missing; an earlier
/// export in it is replaced; any other non-empty directory is refused
/// without --force. A file in place of <DIR>, or a refused directory, is a
/// usage error (exit 2); a directory that cannot be written is exit 1.
#[derive(Args, Debug, Clone)]
pub struct ExportArgs {
    /// Write the HTML dashboard into this directory
    #[arg(long, value_name = "DIR", required = true)]
    pub html: PathBuf,
    /// How many of the most recently closed upgrades get a page of their own
    /// (every open upgrade has one)
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub closed_pages: usize,
    /// Write into a non-empty directory that holds no earlier export
    /// (its index.html, style.css and u/ are replaced; other files are kept)
    #[arg(long)]
    pub force: bool,
}

/// Who landed or closed an upgrade, read from its listed JSON element.
#[derive(Deserialize)]
struct ClosedBy {
    #[serde(default)]
    landing: Option<By>,
    #[serde(default)]
    closed: Option<By>,
}

#[derive(Deserialize)]
struct By {
    by: String,
}

/// What a rendered page tells the queue page about its upgrade.
#[derive(Default)]
struct Judged {
    approvals: Option<(usize, usize)>,
    needs_rebase: bool,
    policy_change: Option<bool>,
    closed_by: Option<String>,
    damaged: Option<String>,
}

/// Run `export`.
pub fn run(ui: &mut Ui, args: &ExportArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    if args.html.as_os_str().is_empty() {
        return Err(crate::error::Error::usage("--html needs a directory"));
    }
    // The directory is checked before any work, and nothing is written if it is refused.
    let staging = output::Staging::new(&args.html, args.force)?;
    let mut pending: Vec<(String, ObjectId, Listing)> = Vec::new();
    let mut closed: Vec<(String, ObjectId, Listing)> = Vec::new();
    let mut damaged: Vec<(String, String)> = Vec::new();
    for Entry { id, tip, data } in cache::list(&store, crate::ui::json::LISTED)? {
        match data {
            Ok(l) if l.state.is_open() => pending.push((id, tip, l)),
            Ok(l) => closed.push((id, tip, l)),
            Err(why) => damaged.push((id, why)),
        }
    }
    pending.sort_by(|a, b| (&a.2.proposed_at, &a.0).cmp(&(&b.2.proposed_at, &b.0)));
    closed.sort_by(|a, b| b.2.updated_at.cmp(&a.2.updated_at).then(a.0.cmp(&b.0)));
    let closed_pages = args.closed_pages.min(closed.len());
    let repo_name = repo_name(&repo);
    let chrome = Chrome {
        repo_name: &repo_name,
        pending: pending.len(),
        generated_at: crate::time::now_unix(),
    };
    // On a case-insensitive file system `Fix` and `fix` would share a page
    // file: only the first of them gets a page.
    let mut names = std::collections::HashSet::new();
    let todo: Vec<(&str, ObjectId)> = pending
        .iter()
        .chain(&closed[..closed_pages])
        .map(|(id, tip, _)| (id.as_str(), *tip))
        .filter(|(id, _)| names.insert(id.to_ascii_lowercase()))
        .collect();
    let judged = render_pages(&store, &todo, &chrome, &staging)?;
    let mut rows = |items: &[(String, ObjectId, Listing)]| -> Vec<Row> {
        let mut out = Vec::with_capacity(items.len());
        for (id, _, listing) in items {
            let mut summary = match listing.summary() {
                Ok(s) => s,
                Err(e) => {
                    damaged.push((id.clone(), e.to_string()));
                    continue;
                }
            };
            let j = judged.get(id.as_str());
            if let Some(why) = j.and_then(|j| j.damaged.clone()) {
                damaged.push((id.clone(), why));
                continue;
            }
            if let Some(p) = j.and_then(|j| j.policy_change) {
                summary.policy_change = p;
            }
            let closed_by = match j {
                Some(j) => j.closed_by.clone(),
                None if !summary.state.is_open() => listing
                    .json()
                    .ok()
                    .and_then(|json| serde_json::from_slice::<ClosedBy>(&json).ok())
                    .and_then(|c| {
                        closer(
                            summary.state,
                            c.landing.map(|b| b.by),
                            c.closed.map(|b| b.by),
                        )
                    }),
                None => None,
            };
            out.push(Row {
                id: id.clone(),
                summary,
                needs_rebase: j.is_some_and(|j| j.needs_rebase),
                approvals: j.and_then(|j| j.approvals),
                closed_by,
                has_page: j.is_some(),
            });
        }
        out
    };
    let pending_rows = rows(&pending);
    let history_rows = rows(&closed);
    damaged.sort();
    let index = html::index(
        &chrome,
        &Queue {
            pending: &pending_rows,
            history: &history_rows,
            damaged: &damaged,
            closed_pages,
        },
    );
    staging.write("style.css", html::STYLESHEET.as_bytes())?;
    staging.write("index.html", index.as_bytes())?;
    let pages = 1 + judged.values().filter(|j| j.damaged.is_none()).count();
    staging.install()?;
    let dir = std::fs::canonicalize(&args.html).unwrap_or_else(|_| args.html.clone());
    if ui.json {
        return ui
            .json_pretty(&ExportJson {
                damaged: damaged.len(),
                dir: &dir.to_string_lossy(),
                format: JSON_FORMAT,
                history: history_rows.len(),
                pages,
                pending: pending_rows.len(),
            })
            .map(|_| 0);
    }
    if ui.quiet {
        return Ok(0);
    }
    let shown = crate::ui::escape::text(&dir.display().to_string()).into_owned();
    ui.line(&format!(
        "exported {} pending and {} closed upgrades ({pages} pages) to {shown}",
        pending_rows.len(),
        history_rows.len()
    ))?;
    if !damaged.is_empty() {
        ui.warn(&format!(
            "{} unreadable upgrades are listed as such",
            damaged.len()
        ));
    }
    ui.note(&format!("open {shown}/index.html"));
    Ok(0)
}

/// Who closed it: the lander of an applied upgrade, else who rejected,
/// expired, failed or rolled it back.
fn closer(state: State, landing: Option<String>, closed: Option<String>) -> Option<String> {
    if state == State::Applied {
        landing.or(closed)
    } else {
        closed.or(landing)
    }
}

/// The repository's directory name, shown in every page's header.
fn repo_name(repo: &gix::Repository) -> String {
    let dir = repo.workdir().unwrap_or_else(|| repo.git_dir());
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Render and write the pages of `todo` on up to four threads (the work is
/// reading objects and diffing); what each page learnt, by id.
fn render_pages<'a>(
    store: &Store<'_>,
    todo: &[(&'a str, ObjectId)],
    chrome: &Chrome<'_>,
    staging: &output::Staging,
) -> Result<HashMap<&'a str, Judged>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    let dir = staging.pages_dir();
    if todo.len() < 16 || threads < 2 {
        let mut targets = Targets::default();
        return todo
            .iter()
            .map(|(id, tip)| {
                page(store, &mut targets, id, *tip, chrome, &dir)
                    .map(|j| (*id, j))
                    .map_err(|e| staging.write_error(e))
            })
            .collect();
    }
    let chunk = todo.len().div_ceil(threads);
    let sync_repo = store.repo.clone().into_sync();
    let results: Vec<std::io::Result<Vec<(&'a str, Judged)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = todo
            .chunks(chunk)
            .map(|part| {
                let sync_repo = sync_repo.clone();
                let dir = &dir;
                s.spawn(move || {
                    let mut repo = sync_repo.to_thread_local();
                    crate::repo::tune(&mut repo);
                    let store = Store::new(&repo);
                    let mut targets = Targets::default();
                    part.iter()
                        .map(|(id, tip)| {
                            page(&store, &mut targets, id, *tip, chrome, dir).map(|j| (*id, j))
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("a page renderer panicked")))
            })
            .collect()
    });
    let mut out = HashMap::with_capacity(todo.len());
    for r in results {
        out.extend(r.map_err(|e| staging.write_error(e))?);
    }
    Ok(out)
}

/// What the pages of one thread read once per target.
#[derive(Default)]
struct Targets {
    tips: TargetTips,
    /// Each tip's history, for which open upgrades need a rebase.
    histories: crate::graph::TipHistories,
}

/// Each target's tip and committed policy.
#[derive(Default)]
struct TargetTips(HashMap<String, std::result::Result<(ObjectId, Policy), String>>);

impl TargetTips {
    fn get(
        &mut self,
        store: &Store<'_>,
        target: &str,
    ) -> std::result::Result<&(ObjectId, Policy), &str> {
        self.0
            .entry(target.to_string())
            .or_insert_with(|| {
                crate::ops::branch_tip(store, target)
                    .and_then(|tip| {
                        crate::ops::policy_at(store.repo, target, tip).map(|p| (tip, p))
                    })
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| e.as_str())
    }
}

/// Load, judge, render and write one upgrade's page. Only a failed write is
/// an error; an upgrade that cannot be read is reported as damaged.
fn page(
    store: &Store<'_>,
    targets: &mut Targets,
    id: &str,
    tip: ObjectId,
    chrome: &Chrome<'_>,
    dir: &std::path::Path,
) -> std::io::Result<Judged> {
    // Ids become file names: they were validated when listed, and are again.
    if crate::ids::validate_id(id).is_err() {
        return Ok(Judged {
            damaged: Some("not a valid upgrade id".into()),
            ..Judged::default()
        });
    }
    let (mut up, history, events) = match store.load_with_events(id, tip) {
        Ok(x) => x,
        Err(e) => {
            return Ok(Judged {
                damaged: Some(e.to_string()),
                ..Judged::default()
            })
        }
    };
    let repo = store.repo;
    let target = targets.tips.get(store, &history.target);
    // What lands is shown as recomputed from the trees, as `show` does.
    let diff = changes(repo, &history.base, &history.head).and_then(|changes| {
        let (files, stats) = crate::diff::file_stats(repo, &changes)?;
        up.record.files = files;
        up.record.stats = stats;
        if let Ok((_, policy)) = &target {
            up.record.policy_change = up.record.files.iter().any(|f| policy.is_protected(&f.path));
        }
        let mut text = String::new();
        let mut truncated =
            crate::diff::unified(repo, &changes, &mut text, Some(MAX_PAGE_DIFF_LINES))?;
        if let Some((cut, _)) = text.match_indices('\n').nth(MAX_PAGE_DIFF_LINES - 1) {
            text.truncate(cut + 1);
            truncated = true;
        }
        Ok(upgrade::Diff { text, truncated })
    });
    let recomputed = diff.is_ok();
    let tally = match &target {
        Ok((tip, policy)) => {
            crate::trust::tally(store, &history, policy, *tip).map_err(|e| e.to_string())
        }
        Err(why) => Err(why.to_string()),
    };
    let needs_rebase = match &target {
        Ok((tip, _)) if up.record.state.is_open() => Some(*tip).filter(|tip| {
            targets
                .histories
                .needs_rebase(repo, *tip, &up.record.base, &up.record.head)
        }),
        _ => None,
    };
    let text = upgrade::page(
        chrome,
        &upgrade::Detail {
            up: &up,
            history: &history,
            events: &events,
            tally: tally.as_ref().map_err(|e| e.clone()),
            needs_rebase,
            diff: diff.map_err(|e| e.to_string()),
        },
    );
    std::fs::write(dir.join(format!("{id}.html")), text)?;
    let r = &up.record;
    Ok(Judged {
        approvals: tally.ok().map(|t| (t.valid, t.required)),
        needs_rebase: needs_rebase.is_some(),
        policy_change: recomputed.then_some(r.policy_change),
        closed_by: if r.state.is_open() {
            None
        } else {
            closer(
                r.state,
                r.landing.as_ref().map(|l| l.by.clone()),
                r.closed.as_ref().map(|c| c.by.clone()),
            )
        },
        damaged: None,
    })
}

/// The changed paths between two commits (by hex id).
fn changes(repo: &gix::Repository, base: &str, head: &str) -> Result<Vec<crate::diff::PathChange>> {
    let tree = |hex: &str| -> Result<ObjectId> {
        let id: ObjectId = hex
            .parse()
            .map_err(|_| crate::error::Error::failure(format!("{hex:?} is not an object id")))?;
        Ok(repo
            .find_commit(id)
            .map_err(|_| {
                crate::error::Error::failure(format!(
                    "commit {} is missing (pruned?)",
                    &hex[..hex.len().min(12)]
                ))
            })?
            .tree_id()?
            .detach())
    };
    crate::diff::changed_paths(repo, tree(base)?, tree(head)?)
}
