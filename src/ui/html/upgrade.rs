//! One upgrade's page (`u/<id>.html`): description, metadata, the commands
//! to decide it, revisions, files, the coloured diff, the end of the test
//! output and the event timeline. Everything from data goes through
//! [`escape`].

use std::fmt::Write as _;

use super::{age_cell, escape, state_span, Chrome};
use crate::record::{Record, TestResult};
use crate::replay::History;
use crate::store::{LoggedEvent, Upgrade};
use crate::time::{rfc3339, short_duration_ms};
use crate::trust::{Proof, Tally};
use crate::ui::render::short;

/// How many lines of test output a page shows (the end of it).
pub const TEST_OUTPUT_LINES: usize = 60;

/// The diff as shown: git-style unified text, possibly cut short.
pub struct Diff {
    /// Unified diff text.
    pub text: String,
    /// True when the text stops before the end of the change.
    pub truncated: bool,
}

/// What a page shows of one upgrade.
pub struct Detail<'a> {
    /// The upgrade; `files`, `stats` and `policy_change` recomputed from the
    /// trees when they could be (the record's copies otherwise).
    pub up: &'a Upgrade,
    /// The replayed event chain.
    pub history: &'a History,
    /// Its events, oldest first.
    pub events: &'a [LoggedEvent],
    /// The approvals judged by the target's policy, or why they could not be.
    pub tally: Result<&'a Tally, String>,
    /// The target's tip, when the upgrade is open and its head does not contain it.
    pub needs_rebase: Option<gix::ObjectId>,
    /// The diff, or why it cannot be shown (e.g. a pruned commit).
    pub diff: Result<Diff, String>,
}

/// The page of one upgrade.
pub fn page(chrome: &Chrome<'_>, d: &Detail<'_>) -> String {
    let up = d.up;
    let r = &up.record;
    let id = escape(&up.id);
    let diff_len = d.diff.as_ref().map_or(0, |x| x.text.len());
    let mut out = String::with_capacity(8192 + diff_len * 5 / 4);
    chrome.open(&mut out, &format!("{} · {}", up.id, r.description), "../");
    let _ = write!(
        out,
        "<p class=\"note\"><a href=\"../index.html\">← queue</a></p>\n\
         <h1><span class=\"mono\">{id}</span> {state}</h1>\n<div class=\"description\">{desc}</div>\n",
        state = state_span(r.state),
        desc = escape(r.description.trim_end()),
    );
    metadata(&mut out, d);
    commands(&mut out, d);
    revisions(&mut out, d.history);
    files(&mut out, r);
    diff(&mut out, &up.id, &d.diff);
    if let Some(t) = &r.tests {
        test_output(&mut out, t);
    }
    timeline(&mut out, d.events);
    chrome.close(&mut out);
    out
}

fn metadata(out: &mut String, d: &Detail<'_>) {
    let r = &d.up.record;
    out.push_str("<dl class=\"meta\">\n");
    let mut item = |k: &str, v: String| {
        let _ = writeln!(out, "<dt>{k}</dt><dd>{v}</dd>");
    };
    item("Target", escape(&r.target).into_owned());
    item(
        "Head",
        format!("<span class=\"mono\">{}</span>", escape(&r.head)),
    );
    let base = format!("<span class=\"mono\">{}</span>", escape(&r.base));
    match d.needs_rebase {
        Some(tip) => item(
            "Base",
            format!(
                "{base} <span class=\"mark rebase\">[needs rebase]</span> \
                 <span class=\"warn\">{} is at {}</span>",
                escape(&r.target),
                short(&tip.to_string())
            ),
        ),
        None => item("Base", base),
    }
    if let Some(src) = &r.source {
        item("Source", escape(src).into_owned());
    }
    item(
        "Proposed",
        format!("{} by {}", age_cell(&r.proposed_at), escape(&r.proposed_by)),
    );
    let policy = if r.policy_change {
        " <span class=\"mark policy\">[changes policy]</span>"
    } else {
        ""
    };
    item(
        "Changes",
        format!(
            "{} files, +{} −{}{policy}",
            r.stats.files, r.stats.added, r.stats.removed
        ),
    );
    item("Tests", tests_line(&r.tests));
    item("Approvals", approvals(r, &d.tally));
    if let Some(u) = &r.urgent {
        item(
            "Urgent",
            format!(
                "<span class=\"mark urgent\">URGENT</span> bypass by {} {}: {}{}",
                escape(&u.by),
                age_cell(&u.at),
                escape(&u.reason),
                if u.tests_skipped {
                    " (tests skipped)"
                } else {
                    ""
                }
            ),
        );
    }
    if let Some(c) = &r.closed {
        let reason = c
            .reason
            .as_deref()
            .map(|x| format!(": {}", escape(x)))
            .unwrap_or_default();
        item(
            "Closed",
            format!("by {} {}{reason}", escape(&c.by), age_cell(&c.at)),
        );
    }
    if let Some(l) = &r.landing {
        item(
            "Landed",
            format!(
                "by {} {} (<span class=\"mono\">{} → {}</span>)",
                escape(&l.by),
                age_cell(&l.at),
                short(&l.previous_target),
                short(&l.new_target)
            ),
        );
    }
    out.push_str("</dl>\n");
}

fn tests_line(tests: &Option<TestResult>) -> String {
    let Some(t) = tests else {
        return "<span class=\"tests-none\">not run</span>".into();
    };
    let word = super::tests_span(&Some((t.status.clone(), t.passed)));
    match &t.command {
        Some(cmd) => format!(
            "{word} in {} on <span class=\"mono\">{}</span> (<code>{}</code>)",
            short_duration_ms(t.duration_ms),
            short(&t.commit),
            escape(cmd)
        ),
        None => format!("{word} (no [test] command in .upgrades.toml)"),
    }
}

fn approvals(r: &Record, tally: &Result<&Tally, String>) -> String {
    let t = match tally {
        Ok(t) => t,
        Err(why) => {
            return format!(
                "{} recorded; <span class=\"warn\">cannot judge them: {}</span>",
                r.approvals_for_head(),
                escape(why)
            )
        }
    };
    let mode = if t.signed {
        "signatures verified"
    } else {
        "unsigned: identities are claimed, not proven"
    };
    let mut out = format!(
        "<span class=\"approvals\">{} of {} required</span> <span class=\"note\">({mode})</span>",
        t.valid, t.required
    );
    if !t.approvals.is_empty() {
        out.push_str("<ul>");
        for j in &t.approvals {
            let (mark, why) = if j.counts {
                ("✓", String::new())
            } else {
                (
                    "✗",
                    format!(
                        " — does not count: {}",
                        escape(j.why_not.as_deref().unwrap_or("?"))
                    ),
                )
            };
            let proof = match &j.proof {
                Proof::Signature(s) => s.describe(),
                p => p.label(),
            };
            let carried = j
                .carried_from
                .as_deref()
                .map(|h| format!(" (carried from {})", short(h)))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li>{mark} {} <span class=\"note\">[{}]{carried}</span>{why}</li>",
                escape(&j.by),
                escape(&proof)
            );
        }
        out.push_str("</ul>");
    }
    out
}

fn commands(out: &mut String, d: &Detail<'_>) {
    let id = escape(&d.up.id);
    out.push_str("<h2>Decide</h2>\n");
    if d.up.record.state.is_open() {
        out.push_str("<p class=\"note\">In a clone of the repository:</p>\n");
        if d.needs_rebase.is_some() {
            let _ = writeln!(
                out,
                "<pre class=\"cmd\"><code>git upgrades approve {id} --rebase</code></pre>"
            );
        }
        let _ = writeln!(
            out,
            "<pre class=\"cmd\"><code>git upgrades approve {id}</code></pre>\n\
             <pre class=\"cmd\"><code>git upgrades reject {id} -m \"why\"</code></pre>\n\
             <pre class=\"cmd\"><code>git upgrades diff {id}</code></pre>"
        );
    } else {
        let _ = writeln!(
            out,
            "<p class=\"note\">Closed: {}. The full record:</p>\n\
             <pre class=\"cmd\"><code>git upgrades show {id}</code></pre>",
            d.up.record.state.as_str()
        );
    }
}

/// Each revision (head and base) of the change, oldest first. Rebases add
/// revisions today; revisions proposed by hand will be listed here as well.
fn revisions(out: &mut String, h: &History) {
    let _ = writeln!(
        out,
        "<h2 id=\"revisions\">Revisions ({})</h2>\n<ol class=\"revisions mono\">",
        h.revisions.len()
    );
    for (n, rev) in h.revisions.iter().enumerate() {
        let current = if n + 1 == h.revisions.len() {
            " <span class=\"note\">(current)</span>"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<li>head {} on base {}{current}</li>",
            short(&rev.head),
            short(&rev.base)
        );
    }
    out.push_str("</ol>\n");
}

fn files(out: &mut String, r: &Record) {
    let _ = writeln!(out, "<h2 id=\"files\">Files ({})</h2>", r.files.len());
    if r.files.is_empty() {
        out.push_str("<p class=\"empty\">No files changed.</p>\n");
        return;
    }
    out.push_str("<table class=\"files\">\n<tbody>\n");
    for f in &r.files {
        let counts = if f.binary {
            "binary".to_string()
        } else {
            format!("+{} −{}", f.added, f.removed)
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{counts}</td><td class=\"mono\">{}</td></tr>",
            escape(&f.status),
            escape(&f.path)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The unified diff, one `<span>` per line with a class for its kind:
/// `file` (headers), `hunk`, `add`, `del`, `ctx`.
fn diff(out: &mut String, id: &str, diff: &Result<Diff, String>) {
    out.push_str("<h2 id=\"diff\">Diff</h2>\n");
    let d = match diff {
        Ok(d) => d,
        Err(why) => {
            let _ = writeln!(
                out,
                "<p class=\"warn\">The diff cannot be shown: {}</p>",
                escape(why)
            );
            return;
        }
    };
    if d.text.is_empty() {
        out.push_str("<p class=\"empty\">The change is empty.</p>\n");
        return;
    }
    out.push_str("<pre class=\"diff\">");
    // Header lines come between `diff --git` and the first hunk of a file; in
    // a hunk, a line starting `---` is a removed line.
    let mut in_header = false;
    for line in d.text.split_terminator('\n') {
        if line.starts_with("diff --git ") {
            in_header = true;
        } else if line.starts_with("@@") {
            in_header = false;
        }
        let class = if in_header {
            "file"
        } else if line.starts_with("@@") {
            "hunk"
        } else if line.starts_with('+') {
            "add"
        } else if line.starts_with('-') {
            "del"
        } else {
            "ctx"
        };
        // Block spans, no newline between them: a newline would add a line.
        let _ = write!(out, "<span class=\"{class}\">{}</span>", escape(line));
    }
    out.push_str("</pre>\n");
    if d.truncated {
        let _ = writeln!(
            out,
            "<p class=\"note\">The diff is cut short here; the whole of it: \
             <code>git upgrades diff {}</code></p>",
            escape(id)
        );
    }
}

fn test_output(out: &mut String, t: &TestResult) {
    let lines: Vec<&str> = t.output.lines().collect();
    let start = lines.len().saturating_sub(TEST_OUTPUT_LINES);
    let _ = writeln!(
        out,
        "<h2 id=\"tests\">Test output</h2>\n<p class=\"note\">{} on <span class=\"mono\">{}</span>, \
         {}{}</p>",
        super::tests_span(&Some((t.status.clone(), t.passed))),
        short(&t.commit),
        escape(&t.at),
        if start > 0 {
            format!(", the last {} of {} lines", lines.len() - start, lines.len())
        } else {
            String::new()
        }
    );
    if lines.is_empty() {
        out.push_str("<p class=\"empty\">No output.</p>\n");
        return;
    }
    out.push_str("<pre class=\"output\">");
    for l in &lines[start..] {
        out.push_str(&escape(l));
        out.push('\n');
    }
    out.push_str("</pre>\n");
}

/// The events, oldest first, from the replayed chain (not from the record).
fn timeline(out: &mut String, events: &[LoggedEvent]) {
    let _ = writeln!(
        out,
        "<h2 id=\"events\">Events ({})</h2>\n<ol class=\"timeline\">",
        events.len()
    );
    for e in events {
        let name = e.event.event.as_str();
        let kind = name.strip_prefix("upgrade.").unwrap_or(name);
        let mut details = String::new();
        for (k, v) in &e.event.details {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            let v: String = v.chars().take(300).collect();
            let _ = write!(details, " {}={}", escape(k), escape(&v));
        }
        let _ = writeln!(
            out,
            "<li class=\"event ev-{kind}\"><time datetime=\"{t}\">{t}</time> <b>{name}</b> \
             by {actor} <span class=\"commit mono\">{commit}</span>\
             <div class=\"details mono\">{details}</div></li>",
            t = rfc3339(e.time),
            actor = escape(&e.event.actor),
            commit = short(&e.commit.to_string()),
        );
    }
    out.push_str("</ol>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lines_are_classed_by_position_not_only_by_prefix() {
        let text = "diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n\
                    --- not a header\n+++ nor this\n ctx <b>\n\
                    diff --git a/y b/y\nBinary files a/y and b/y differ\n";
        let mut out = String::new();
        let d = Diff {
            text: text.into(),
            truncated: true,
        };
        diff(&mut out, "u1", &Ok(d));
        for want in [
            "<span class=\"file\">--- a/x</span>",
            "<span class=\"hunk\">@@ -1,2 +1,2 @@</span>",
            "<span class=\"del\">--- not a header</span>",
            "<span class=\"add\">+++ nor this</span>",
            "<span class=\"ctx\"> ctx &lt;b&gt;</span>",
            "<span class=\"file\">Binary files a/y and b/y differ</span>",
            "<code>git upgrades diff u1</code>",
        ] {
            assert!(out.contains(want), "{want} in {out}");
        }
        let mut out = String::new();
        diff(&mut out, "u1", &Err("commit <abc> is missing".into()));
        assert!(out.contains("cannot be shown: commit &lt;abc&gt; is missing"));
    }
}
