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

/// How `list --json` renders one upgrade, for the listing cache to keep
/// (`store::cache` stores the bytes and never knows the shape).
pub const LISTED: crate::store::cache::Renderer = crate::store::cache::Renderer {
    version: concat!("list-json ", env!("CARGO_PKG_VERSION")),
    element: listed_element,
};

/// The upgrade object as `list --json` prints it: one line, without the
/// diff preview (which `show` has), so that listing stays small.
pub fn listed_element(up: &Upgrade) -> String {
    let mut value = serde_json::to_value(UpgradeJson::new(up)).expect("plain data");
    if let Some(obj) = value.as_object_mut() {
        obj.remove("diff_preview");
    }
    serde_json::to_string(&value).expect("plain data")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_element_is_the_shown_object_without_events_or_preview() {
        let text = r#"{"format":1,"id":"u1","state":"approved","description":"d","target":"main",
            "base":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","head":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "proposed_by":"A <a@x>","proposed_at":"2026-01-01T00:00:00Z","files":[],
            "stats":{"files":0,"added":0,"removed":0},"diff_preview":"+x","tests":null,"approvals":[],
            "updated_at":"2026-01-01T00:00:00Z","seq":1}"#;
        let record = Record::from_note(text.as_bytes(), "u1").unwrap();
        let up = Upgrade {
            id: "u1".into(),
            tip: gix::ObjectId::null(gix::hash::Kind::Sha1),
            record,
        };
        let listed: serde_json::Value = serde_json::from_str(&listed_element(&up)).unwrap();
        let obj = listed.as_object().unwrap();
        assert!(!obj.contains_key("diff_preview"));
        assert!(!obj.contains_key("events"));
        for key in [
            "id", "state", "head", "base", "target", "open", "stats", "seq",
        ] {
            assert!(obj.contains_key(key), "{key} missing: {listed}");
        }
        assert_eq!(obj["open"], true);
    }
}
