//! The `--json` output types: stable, documented in `docs/JSON.md`, and
//! versioned by `format`. An upgrade object is its record plus, in `show`, its
//! events; an event object is one line of `log --json`.

use serde::Serialize;

use crate::record::Record;
use crate::store::{LoggedEvent, Upgrade};
use crate::time::rfc3339;

/// The version of the JSON output documented in `docs/JSON.md`.
pub const JSON_FORMAT: u32 = 1;

/// One upgrade.
#[derive(Serialize)]
pub struct UpgradeJson<'a> {
    /// The record's fields (`format` is the JSON output format).
    #[serde(flatten)]
    pub record: &'a Record,
    /// Open upgrades have `refs/upgrades/<id>`.
    pub open: bool,
    /// Approvals on the current head / needed, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventJson>>,
}

impl<'a> UpgradeJson<'a> {
    /// Without events (list).
    pub fn new(up: &'a Upgrade) -> Self {
        UpgradeJson {
            record: &up.record,
            open: up.record.state.is_open(),
            events: None,
        }
    }
}

/// An upgrade that could not be read, in `list --json`.
#[derive(Serialize)]
pub struct DamagedJson<'a> {
    /// The JSON output format.
    pub format: u32,
    /// Its id (from the ref name).
    pub id: &'a str,
    /// Always null: the state is unknown.
    pub state: Option<()>,
    /// Why it could not be read.
    pub error: String,
}

/// One event.
#[derive(Serialize)]
pub struct EventJson {
    /// The JSON output format.
    pub format: u32,
    /// e.g. `upgrade.approved`.
    pub event: &'static str,
    /// The upgrade.
    pub id: String,
    /// Who.
    pub actor: String,
    /// When (RFC 3339, the event commit's committer date).
    pub time: String,
    /// Logical clock.
    pub seq: u64,
    /// The event commit.
    pub commit: String,
    /// Event-specific details.
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl From<&LoggedEvent> for EventJson {
    fn from(e: &LoggedEvent) -> Self {
        EventJson {
            format: JSON_FORMAT,
            event: e.event.event.as_str(),
            id: e.event.id.clone(),
            actor: e.event.actor.clone(),
            time: rfc3339(e.time),
            seq: e.event.seq,
            commit: e.commit.to_string(),
            details: e.event.details.clone(),
        }
    }
}
