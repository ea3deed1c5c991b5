//! Record and event formats: round trips, strict parsing, counts.
use super::*;

pub(crate) fn sample() -> Record {
    Record {
        format: RECORD_FORMAT,
        id: "abc123".into(),
        state: State::Proposed,
        description: "Fix bug".into(),
        target: "main".into(),
        base: "a".repeat(40),
        head: "b".repeat(40),
        source: Some("HEAD".into()),
        proposed_by: "A U Thor <author@example.com>".into(),
        proposed_at: "2026-01-01T00:00:00Z".into(),
        files: vec![],
        stats: DiffStats::default(),
        diff_preview: String::new(),
        policy_change: false,
        tests: None,
        approvals: vec![],
        closed: None,
        landing: None,
        urgent: None,
        updated_at: "2026-01-01T00:00:00Z".into(),
        seq: 1,
        revisions: vec![],
        changes_requested: vec![],
        comment_count: 0,
        unresolved_comments: 0,
    }
}

#[test]
fn record_round_trips() {
    let r = sample();
    assert_eq!(Record::from_json(&r.to_json(), "abc123").unwrap(), r);
    // The layout before the record had its own entry: summary, blank line, JSON.
    let mut old = b"upgrade abc123 (proposed): Fix bug\n\n".to_vec();
    old.extend(r.to_json());
    assert_eq!(Record::from_note(&old, "abc123").unwrap(), r);
    assert!(Record::from_json(&old, "abc123").is_err());
}

#[test]
fn damaged_records_are_errors() {
    let good = String::from_utf8(sample().to_json()).unwrap();
    let cases = [
        String::new(),
        "{".into(),
        good[..good.len() / 2].to_string(),
        good.replace("\"format\": 1", "\"format\": 99"),
        good.replace("\"format\": 1", "\"format\": \"1\""),
        good.replace("\"state\": \"proposed\"", "\"state\": \"exploded\""),
        good.replace("\"seq\": 1", "\"seq\": -1"),
        good.replace("\"target\": \"main\"", "\"target\": \"../../x\""),
        good.replace("\"id\": \"abc123\"", "\"id\": \"other\""),
        good.replace(
            "\"tests\": null",
            "\"tests\": {\"status\": \"passed\", \"passed\": true, \"exit_code\": 0, \"duration_ms\": 1, \"command\": null, \"output\": \"\", \"commit\": \"ééééééééééééééééééééé\", \"at\": \"x\"}",
        ),
        good.replace("\"seq\": 1", "\"seq\": 1, \"extra\": true"),
        "[1,2,3]".into(),
    ];
    for case in cases {
        assert!(
            Record::from_note(case.as_bytes(), "abc123").is_err(),
            "accepted: {case}"
        );
    }
    let newer = good.replace("\"format\": 1", "\"format\": 2");
    let err = Record::from_note(newer.as_bytes(), "abc123").unwrap_err();
    assert!(err.message.contains("newer"), "{err}");
}

#[test]
fn events_round_trip_through_messages() {
    let mut details = serde_json::Map::new();
    details.insert("comment".into(), "multi\nline".into());
    let e = Event {
        format: EVENT_FORMAT,
        event: EventKind::Approved,
        id: "abc123".into(),
        actor: "A <a@example.com>".into(),
        seq: 3,
        details,
    };
    let msg = e.to_message("a description\nwith newline");
    assert!(msg.starts_with("upgrade.approved abc123: a description with newline\n\n"));
    assert_eq!(Event::from_message(msg.as_bytes()).unwrap(), e);
    assert!(Event::from_message(b"subject only").is_err());
    assert!(Event::from_message(b"s\n\n{\"format\":1}").is_err());
}

#[test]
fn approvals_count_distinct_people_on_the_current_head() {
    let mut r = sample();
    let approval = |by: &str, head: &str| Approval {
        by: by.into(),
        at: "2026-01-01T00:00:00Z".into(),
        head: head.into(),
        comment: None,
        carried_from: None,
    };
    r.approvals.push(approval("A <a@x>", &r.head.clone()));
    r.approvals.push(approval("A <a@x>", &r.head.clone()));
    r.approvals.push(approval("B <b@x>", &"c".repeat(40)));
    assert_eq!(r.approvals_for_head(), 1);
}
