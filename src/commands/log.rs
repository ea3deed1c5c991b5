//! `git upgrades log`

use clap::Args;

use crate::error::Result;
use crate::store::{LoggedEvent, Store};
use crate::ui::json::EventJson;
use crate::ui::{render, Ui};

/// Show the events of every upgrade (or one), oldest first
#[derive(Args, Debug, Clone)]
pub struct LogArgs {
    /// Only this upgrade's events
    pub id: Option<String>,
}

/// Run `log`.
pub fn run(ui: &mut Ui, args: &LogArgs) -> Result<u8> {
    let repo = crate::repo::open()?;
    let store = Store::new(&repo);
    let mut events: Vec<LoggedEvent> = Vec::new();
    let mut status = 0;
    match &args.id {
        Some(id) => {
            let up = store.find(id)?;
            events = store.events(&up)?;
        }
        None => {
            for item in store.list()? {
                let result = match item {
                    Ok(up) => store.events(&up).map_err(|e| (up.id.clone(), e)),
                    Err(err) => Err(err),
                };
                match result {
                    Ok(mut evs) => events.append(&mut evs),
                    Err((id, e)) => {
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
    for e in &events {
        if ui.json {
            ui.json_line(&EventJson::from(e))?;
        } else {
            render::event_line(ui, e, args.id.is_none())?;
        }
    }
    Ok(status)
}
