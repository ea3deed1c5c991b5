//! `git upgrades log`, and the live feed `log --follow`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use clap::Args;
use gix::ObjectId;

use crate::error::{Kind, Result};
use crate::record::Event;
use crate::store::{LoggedEvent, Store, NOTES_PREFIX};
use crate::ui::json::EventJson;
use crate::ui::{render, Ui};

/// Show the events of every upgrade (or one), oldest first
///
/// With --follow, keep running and print each new event as it happens, from
/// this clone or arriving by `pull`; stop with Ctrl-C.
#[derive(Args, Debug, Clone)]
pub struct LogArgs {
    /// Only this upgrade's events
    pub id: Option<String>,
    /// Keep running and print new events as they happen
    #[arg(short, long)]
    pub follow: bool,
}

/// How often the refs are checked while following.
const POLL: Duration = Duration::from_millis(250);

fn print(ui: &mut Ui, events: &[LoggedEvent], with_id: bool) -> Result<()> {
    for e in events {
        if ui.json {
            ui.json_line(&EventJson::from(e))?;
        } else {
            render::event_line(ui, e, with_id)?;
        }
    }
    ui.flush()
}

/// Run `log`.
pub fn run(ui: &mut Ui, args: &LogArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let mut status = 0;
    let only = match &args.id {
        Some(id) => Some(store.resolve(id)?),
        None => None,
    };
    let mut events: Vec<LoggedEvent> = Vec::new();
    match &only {
        Some(id) => {
            let up = store.load(id)?;
            events = store.events(&up)?;
        }
        None => {
            // The event chains are all that is needed: no record is read.
            for (id, tip) in store.tips(NOTES_PREFIX)? {
                if let Err(e) = crate::ids::validate_id(&id) {
                    ui.warn(&format!("upgrade {id}: {e}"));
                    status = 1;
                    continue;
                }
                match store.events_at(&id, tip) {
                    Ok(mut evs) => events.append(&mut evs),
                    Err(e) => {
                        ui.warn(&format!("upgrade {id}: {e}"));
                        status = 1;
                    }
                }
            }
            events.sort_by(|a, b| {
                (a.time, &a.event.id, a.event.seq).cmp(&(b.time, &b.event.id, b.event.seq))
            });
        }
    }
    print(ui, &events, only.is_none())?;
    if !args.follow {
        return Ok(status);
    }
    follow(ui, &repo, only.as_deref(), events)
}

/// Poll the notes refs; print events from commits not seen before.
fn follow(
    ui: &mut Ui,
    repo: &gix::Repository,
    only: Option<&str>,
    shown: Vec<LoggedEvent>,
) -> Result<u8> {
    crate::interrupt::install();
    let mut seen: HashSet<ObjectId> = shown.iter().map(|e| e.commit).collect();
    let mut tips: HashMap<String, ObjectId> = HashMap::new();
    let prefix = match only {
        Some(id) => format!("{NOTES_PREFIX}{id}"),
        None => NOTES_PREFIX.to_string(),
    };
    let mut first = true;
    while !crate::interrupt::requested() {
        if output_closed() {
            return Ok(0);
        }
        let mut fresh: Vec<LoggedEvent> = Vec::new();
        for r in crate::refs::under(repo, &prefix)?.into_iter().flatten() {
            let name = r.name;
            let Some(id) = name.strip_prefix(NOTES_PREFIX) else {
                continue;
            };
            if only.is_some_and(|o| o != id) {
                continue;
            }
            let Some(tip) = r.target else {
                continue;
            };
            if tips.get(id) == Some(&tip) {
                continue;
            }
            tips.insert(id.to_string(), tip);
            if !first || !seen.contains(&tip) {
                collect_new(repo, tip, &mut seen, &mut fresh);
            }
        }
        first = false;
        fresh.sort_by(|a, b| {
            (a.time, &a.event.id, a.event.seq).cmp(&(b.time, &b.event.id, b.event.seq))
        });
        match print(ui, &fresh, only.is_none()) {
            Err(e) if e.kind == Kind::BrokenPipe => return Ok(0),
            other => other?,
        }
        std::thread::sleep(POLL);
    }
    Ok(0)
}

/// Walk back from `tip` until known commits; unreadable events are skipped here
/// (`log` without --follow reports them).
fn collect_new(
    repo: &gix::Repository,
    tip: ObjectId,
    seen: &mut HashSet<ObjectId>,
    out: &mut Vec<LoggedEvent>,
) {
    let mut todo = vec![tip];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Ok(commit) = repo.find_commit(id) else {
            continue;
        };
        let Some(event) = commit
            .message_raw()
            .ok()
            .and_then(|m| Event::from_message(m).ok())
        else {
            continue;
        };
        let time = commit.committer().map(|c| c.seconds()).unwrap_or(0);
        let parents: Vec<ObjectId> = commit.parent_ids().map(|p| p.detach()).collect();
        todo.extend(parents.iter().copied());
        out.push(LoggedEvent {
            event,
            time,
            commit: id,
            parents,
            author: String::new(),
        });
    }
}

/// True when stdout is a pipe or socket whose reader has gone away.
fn output_closed() -> bool {
    let mut fds = libc::pollfd {
        fd: 1,
        events: 0,
        revents: 0,
    };
    // SAFETY: polling one fd we own, without blocking.
    let n = unsafe { libc::poll(&mut fds, 1, 0) };
    n > 0 && (fds.revents & (libc::POLLERR | libc::POLLHUP)) != 0
}
