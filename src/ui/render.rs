//! Human rendering of upgrades and events: tables, panels and detail views.

use super::escape::{self, text_max};
use super::{fit, Style, Ui};
use crate::error::Result;
use crate::record::{Record, State, TestResult};
use crate::store::{LoggedEvent, Upgrade};
use crate::time::{now_unix, parse_rfc3339, relative, rfc3339, short_duration_ms};
use crate::trust::Tally;

pub use crate::text::short_hash as short;

/// An identity (`Name <email>`) from a record or an event, made safe to print.
pub fn who(identity: &str) -> String {
    text_max(identity, 200)
}

/// "2h ago" for an RFC 3339 timestamp.
pub fn age(ts: &str) -> String {
    parse_rfc3339(ts)
        .map(|t| relative(t, now_unix()))
        .unwrap_or_else(|| "?".into())
}

/// The coloured state word.
pub fn state(ui: &Ui, s: State) -> String {
    let style = match s {
        State::Proposed => Style::Warn,
        State::Approved => Style::Bold,
        State::Applied => Style::Good,
        State::Rejected | State::Failed | State::Expired | State::RolledBack => Style::Bad,
    };
    ui.paint(style, s.as_str())
}

/// A one-word test summary with a mark.
pub fn tests_summary(ui: &Ui, tests: &Option<TestResult>) -> String {
    match tests {
        None => ui.paint(Style::Dim, "not run"),
        Some(t) => match t.passed {
            Some(true) => ui.paint(Style::Good, &format!("{} passed", ui.check())),
            Some(false) => ui.paint(
                Style::Bad,
                &format!("{} {}", ui.cross(), escape::text(&t.status)),
            ),
            None => ui.paint(Style::Dim, "not configured"),
        },
    }
}

/// The detail view of `show`.
pub fn detail(
    ui: &mut Ui,
    up: &Upgrade,
    events: &[LoggedEvent],
    tally: Option<&Tally>,
    stale: Option<gix::ObjectId>,
    conversation: &[String],
) -> Result<()> {
    let r: &Record = &up.record;
    let title = format!("upgrade {}", up.id);
    let title = ui.paint(Style::Id, &title);
    ui.line(&format!("{title}  {}", state(ui, r.state)))?;
    let desc = r.description.replace('\t', "    ");
    for line in desc.lines() {
        ui.line(&format!("    {}", escape::text(line)))?;
    }
    ui.line("")?;
    let mut rows: Vec<(&str, String)> = vec![
        ("Target", escape::text(&r.target).into_owned()),
        ("Head", short(&r.head)),
        (
            "Base",
            match stale {
                Some(tip) => format!(
                    "{}  {}",
                    short(&r.base),
                    ui.paint(
                        Style::Warn,
                        &format!(
                            "needs rebase: {} is at {} (git upgrades rebase {})",
                            escape::text(&r.target),
                            short(&tip.to_string()),
                            escape::text(&up.id)
                        )
                    )
                ),
                None => short(&r.base),
            },
        ),
        (
            "Proposed",
            format!(
                "{} by {} ({})",
                age(&r.proposed_at),
                who(&r.proposed_by),
                escape::text(&r.proposed_at)
            ),
        ),
        (
            "Changes",
            format!(
                "{}, +{} -{}",
                crate::text::plural(r.stats.files, "file"),
                r.stats.added,
                r.stats.removed
            ),
        ),
        ("Tests", tests_line(ui, &r.tests)),
    ];
    if r.revisions.len() > 1 {
        let current = r.revision_number();
        let line = match r.revisions.iter().find(|x| x.number == current) {
            Some(rev) => format!(
                "{current} of {} ({} {} by {})",
                r.revisions.len(),
                rev.kind.as_str(),
                age(&rev.at),
                who(&rev.by)
            ),
            None => format!("{current} of {}", r.revisions.len()),
        };
        rows.insert(2, ("Revision", line));
    }
    for (k, v) in rows {
        ui.line(&format!("{}  {v}", ui.paint(Style::Bold, &fit(k, 9))))?;
    }
    if r.policy_change {
        let text = ui.paint(
            Style::Warn,
            "this upgrade changes the policy file or a protected path",
        );
        ui.line(&format!(
            "{}  {text}",
            ui.paint(Style::Bold, &fit("Policy", 9))
        ))?;
    }
    if let Some(u) = &r.urgent {
        let text = format!(
            "URGENT bypass by {} {}: {}{}",
            who(&u.by),
            age(&u.at),
            text_max(&u.reason, 200),
            if u.tests_skipped {
                " (tests skipped)"
            } else {
                ""
            }
        );
        let label = ui.paint(Style::Bold, &fit("Urgent", 9));
        ui.line(&format!("{label}  {}", ui.paint(Style::Bad, &text)))?;
    }
    if let Some(t) = tally {
        let label = ui.paint(Style::Bold, &fit("Approved", 9));
        let mode = if t.signed {
            "signatures verified"
        } else {
            "unsigned: identities are claimed, not proven"
        };
        ui.line(&format!(
            "{label}  {} of {} required ({mode})",
            t.valid, t.required
        ))?;
        if !t.blocking.is_empty() && r.state.is_open() {
            let mut who: Vec<String> = Vec::new();
            for b in &t.blocking {
                if !who.contains(&b.by) {
                    who.push(b.by.clone());
                }
            }
            let who: Vec<String> = who.iter().map(|w| self::who(w)).collect();
            let label = ui.paint(Style::Bold, &fit("Blocked", 9));
            ui.line(&format!(
                "{label}  {}",
                ui.paint(
                    Style::Bad,
                    &format!(
                        "changes requested by {}: it cannot land until they approve a revision or withdraw",
                        who.join(", ")
                    )
                )
            ))?;
        }
    }
    if !r.approvals.is_empty() {
        ui.line(&ui.paint(Style::Bold, "Approvals"))?;
        for a in &r.approvals {
            let mut note = String::new();
            let mut counts = a.head == r.head;
            if a.head != r.head {
                note.push_str(&match r.revisions.iter().rev().find(|x| x.head == a.head) {
                    Some(rev) => format!(
                        " (on revision {}: void, revision {} changes the patch)",
                        rev.number,
                        r.revision_number()
                    ),
                    None => " (earlier head: void)".to_string(),
                });
            } else if let Some(j) = tally.and_then(|t| t.approvals.iter().find(|j| j.by == a.by)) {
                note.push_str(&format!(" [{}]", j.proof.label()));
                if let Some(why) = &j.why_not {
                    counts = false;
                    note.push_str(&format!(" (does not count: {why})"));
                }
            }
            let comment = a
                .comment
                .as_deref()
                .map(|c| format!(": {}", text_max(c, 200)))
                .unwrap_or_default();
            let mark = if counts { ui.check() } else { ui.cross() };
            ui.line(&format!(
                "  {mark} {} {}{}{comment}",
                who(&a.by),
                age(&a.at),
                escape::text(&note)
            ))?;
        }
    }
    if let Some(c) = &r.closed {
        let reason = c
            .reason
            .as_deref()
            .map(|x| format!(": {}", text_max(x, 200)))
            .unwrap_or_default();
        ui.line(&format!(
            "{}  by {} {}{reason}",
            ui.paint(Style::Bold, &fit("Closed", 9)),
            who(&c.by),
            age(&c.at)
        ))?;
    }
    if let Some(l) = &r.landing {
        ui.line(&format!(
            "{}  by {} {} ({} -> {})",
            ui.paint(Style::Bold, &fit("Landed", 9)),
            who(&l.by),
            age(&l.at),
            short(&l.previous_target),
            short(&l.new_target)
        ))?;
    }
    if r.revisions.len() > 1 {
        ui.line("")?;
        ui.line(&ui.paint(Style::Bold, "Revisions"))?;
        for rev in &r.revisions {
            let note = rev
                .note
                .as_deref()
                .map(|n| format!("  {}", text_max(n, 100)))
                .unwrap_or_default();
            let kept = if rev.approvals_kept {
                ui.paint(Style::Dim, "  (same patch: approvals kept)")
            } else {
                String::new()
            };
            let mark = if rev.head == r.head { "*" } else { " " };
            ui.line(&format!(
                " {mark}{:>3}  {}  {} {} by {}  +{} -{}{note}{kept}",
                rev.number,
                short(&rev.head),
                rev.kind.as_str(),
                age(&rev.at),
                who(&rev.by),
                rev.stats.added,
                rev.stats.removed,
            ))?;
        }
    }
    ui.line("")?;
    ui.line(&ui.paint(Style::Bold, "Files"))?;
    for f in &r.files {
        let counts = if f.binary {
            "binary".to_string()
        } else {
            format!("+{} -{}", f.added, f.removed)
        };
        ui.line(&format!(
            "  {}  {}  {}",
            fit(&escape::text(&f.status), 12),
            fit(&counts, 12),
            escape::path(&f.path)
        ))?;
    }
    for line in conversation {
        ui.line(line)?;
    }
    if let Some(t) = &r.tests {
        if t.passed == Some(false) && !t.output.trim().is_empty() {
            ui.line("")?;
            ui.line(&ui.paint(Style::Bold, "Test output (end)"))?;
            let lines: Vec<&str> = t.output.lines().collect();
            for l in &lines[lines.len().saturating_sub(20)..] {
                ui.line(&format!("  {}", text_max(l, 300)))?;
            }
        }
    }
    if !events.is_empty() {
        ui.line("")?;
        ui.line(&ui.paint(Style::Bold, "Events"))?;
        for e in events {
            event_line(ui, e, false)?;
        }
    }
    Ok(())
}

fn tests_line(ui: &Ui, tests: &Option<TestResult>) -> String {
    match tests {
        None => ui.paint(Style::Dim, "not run"),
        Some(t) => {
            let summary = tests_summary(ui, tests);
            match &t.command {
                Some(cmd) => format!(
                    "{summary} in {} on {} ({})",
                    short_duration_ms(t.duration_ms),
                    short(&t.commit),
                    text_max(cmd, 80)
                ),
                None => format!("{summary} (no [test] command in .upgrades.toml)"),
            }
        }
    }
}

/// One event as a line: time, id, event, actor, details.
pub fn event_line(ui: &mut Ui, e: &LoggedEvent, with_id: bool) -> Result<()> {
    let ev = &e.event;
    let mut extra = String::new();
    for key in [
        "reason", "comment", "status", "target", "note", "file", "line", "text",
    ] {
        match ev.details.get(key) {
            Some(serde_json::Value::String(v)) => {
                extra.push_str(&format!(" {key}={}", text_max(v, 80)))
            }
            Some(serde_json::Value::Number(n)) => extra.push_str(&format!(" {key}={n}")),
            _ => {}
        }
    }
    let id = if with_id {
        format!("{} ", ui.paint(Style::Id, &escape::text(&ev.id)))
    } else {
        String::new()
    };
    let name = ui.paint(Style::Bold, ev.event.as_str());
    ui.line(&format!(
        "  {}  {id}{name}  {}{}",
        ui.paint(Style::Dim, &rfc3339(e.time)),
        who(&ev.actor),
        ui.paint(Style::Dim, &extra)
    ))
}

/// Colour a unified diff as git does, with word-level highlights: when a run
/// of removed lines is followed by as many added lines, the words that differ
/// within each pair are shown in reverse video.
/// Lines are split at `\n` only, so a `\r` in a file's content is kept.
pub fn color_diff(ui: &Ui, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    let is_meta = |l: &str| {
        l.starts_with("diff --git")
            || l.starts_with("index ")
            || l.starts_with("--- ")
            || l.starts_with("+++ ")
            || l.starts_with("new file mode")
            || l.starts_with("deleted file mode")
            || l.starts_with("old mode")
            || l.starts_with("new mode")
    };
    while i < lines.len() {
        let l = lines[i];
        if !ui.color {
            out.push(l.to_string());
            i += 1;
            continue;
        }
        if is_meta(l) {
            out.push(ui.paint(Style::Bold, l));
            i += 1;
            continue;
        }
        if l.starts_with("@@") {
            out.push(format!("\x1b[36m{l}\x1b[0m"));
            i += 1;
            continue;
        }
        if l.starts_with('-') {
            let del_start = i;
            while i < lines.len() && lines[i].starts_with('-') && !is_meta(lines[i]) {
                i += 1;
            }
            let add_start = i;
            while i < lines.len() && lines[i].starts_with('+') && !is_meta(lines[i]) {
                i += 1;
            }
            let dels = &lines[del_start..add_start];
            let adds = &lines[add_start..i];
            if dels.len() == adds.len() {
                let pairs: Vec<(String, String)> = dels
                    .iter()
                    .zip(adds)
                    .map(|(d, a)| word_pair(&d[1..], &a[1..]))
                    .collect();
                out.extend(pairs.iter().map(|(d, _)| format!("\x1b[31m-{d}\x1b[0m")));
                out.extend(pairs.iter().map(|(_, a)| format!("\x1b[32m+{a}\x1b[0m")));
            } else {
                out.extend(dels.iter().map(|d| format!("\x1b[31m{d}\x1b[0m")));
                out.extend(adds.iter().map(|a| format!("\x1b[32m{a}\x1b[0m")));
            }
            continue;
        }
        if l.starts_with('+') {
            out.push(format!("\x1b[32m{l}\x1b[0m"));
        } else {
            out.push(l.to_string());
        }
        i += 1;
    }
    out
}

/// The two sides of a changed line with differing words in reverse video
/// (the caller wraps each side in its line colour).
fn word_pair(old: &str, new: &str) -> (String, String) {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_words(old, new);
    let (mut o, mut n) = (String::new(), String::new());
    for change in diff.iter_all_changes() {
        let v = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                o.push_str(v);
                n.push_str(v);
            }
            ChangeTag::Delete if !v.trim().is_empty() => o.push_str(&format!("\x1b[7m{v}\x1b[27m")),
            ChangeTag::Insert if !v.trim().is_empty() => n.push_str(&format!("\x1b[7m{v}\x1b[27m")),
            ChangeTag::Delete => o.push_str(v),
            ChangeTag::Insert => n.push_str(v),
        }
    }
    (o, n)
}

/// How many lines of a failed run's output are shown where it fails.
pub const FAILURE_TAIL_LINES: usize = 20;

/// Why a test run failed, shown on stderr right after the result: the
/// command, the commit, the exit code and duration, then the last lines of
/// the output (each escaped and bounded), so the reason is where the
/// failure is and not only in `show`.
pub fn failure_lines(ui: &Ui, id: &str, t: &TestResult) -> Vec<String> {
    let command = t.command.as_deref().unwrap_or("the test command");
    let how = match (t.status.as_str(), t.exit_code) {
        ("timed-out", _) => "timed out".to_string(),
        ("error", _) => "could not start".to_string(),
        (_, Some(code)) => format!("exited with {code}"),
        (status, None) => escape::text(status).into_owned(),
    };
    let mut out = vec![ui.paint_err(
        Style::Bad,
        &format!(
            "tests failed on {}: `{}` {how} after {}",
            short(&t.commit),
            text_max(command, 120),
            short_duration_ms(t.duration_ms)
        ),
    )];
    let lines: Vec<&str> = t.output.lines().collect();
    let tail: Vec<&str> = lines
        .iter()
        .rev()
        .skip_while(|l| l.trim().is_empty())
        .take(FAILURE_TAIL_LINES)
        .copied()
        .collect();
    if !tail.is_empty() {
        let shown = if tail.len() < lines.len() {
            format!("last {} of {} output lines:", tail.len(), lines.len())
        } else {
            "output:".to_string()
        };
        out.push(format!("  {shown}"));
        for l in tail.iter().rev() {
            out.push(format!("  | {}", text_max(&l.replace('\t', "    "), 200)));
        }
    }
    out.push(format!(
        "hint: the whole output: `git upgrades show {id}`; stream it while it runs with -v"
    ));
    out
}
