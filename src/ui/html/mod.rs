//! The static HTML dashboard written by `git upgrades export --html`: the
//! queue page (`index.html`), one page per upgrade (`u/<id>.html`, see
//! [`upgrade`]) and one stylesheet. No scripts, no external resources, so the
//! pages read the same from `file://` or any static host.
//!
//! Every string that comes from data (records, events, file names, diff and
//! test output) reaches the page through [`escape`], the one escaping function
//! of this module. This module only renders strings; the command
//! (`commands::export`) gathers the data and writes the files.

pub mod upgrade;

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::record::State;
use crate::store::cache::Summary;
use crate::time::rfc3339;

/// The stylesheet every page links to (`style.css` at the export's root).
pub const STYLESHEET: &str = include_str!("style.css");

/// Scripts are never needed and never allowed; styles only from the export's
/// own stylesheet. A defence in depth: escaping is what keeps data inert.
const CSP: &str = "default-src 'none'; style-src 'self' file:; img-src 'none'; script-src 'none'";

/// HTML-escape text for element content and for quoted attribute values:
/// `& < > " '` become entities; control and bidirectional characters other
/// than newline and tab become visible (`^[`, `^M`, `<U+202E>`, as on a
/// terminal; see [`crate::ui::escape`]), so nothing from data can open a tag,
/// end an attribute or reorder what is shown.
pub fn escape(s: &str) -> Cow<'_, str> {
    let plain = |c: char| {
        !matches!(c, '&' | '<' | '>' | '"' | '\'')
            && (!crate::ui::escape::is_unsafe(c) || c == '\n' || c == '\t')
    };
    if s.chars().all(plain) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if plain(c) => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                let shown = crate::ui::escape::terminal(c.encode_utf8(&mut buf), false);
                // The visible form is ASCII (`^[`, `<U+009B>`): escape its brackets.
                for v in shown.chars() {
                    match v {
                        '<' => out.push_str("&lt;"),
                        '>' => out.push_str("&gt;"),
                        v => out.push(v),
                    }
                }
            }
        }
    }
    Cow::Owned(out)
}

/// [`escape`] for bytes that need not be UTF-8 (invalid sequences become U+FFFD).
pub fn escape_bytes(b: &[u8]) -> String {
    escape(&String::from_utf8_lossy(b)).into_owned()
}

/// The first line of `s`, cut to `max` characters (then `…`), escaped.
pub fn first_line(s: &str, max: usize) -> String {
    let line = s.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut cut: String = line.chars().take(max).collect();
    if line.chars().count() > max || s.trim().lines().nth(1).is_some() {
        cut.push('…');
    }
    escape(&cut).into_owned()
}

/// What every page shares: the header with the pending badge.
pub struct Chrome<'a> {
    /// The repository's name (its directory), shown in the header.
    pub repo_name: &'a str,
    /// Pending upgrades (proposed or approved), the badge in the header.
    pub pending: usize,
    /// When the export was made (Unix seconds).
    pub generated_at: i64,
}

impl Chrome<'_> {
    /// Open a page: doctype, head, header. `root` is the relative path to the
    /// export's root (`""` or `"../"`).
    pub fn open(&self, out: &mut String, title: &str, root: &str) {
        let badge_class = if self.pending == 0 {
            "badge zero"
        } else {
            "badge"
        };
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"git-upgrades\">\n\
             <title>{title}</title>\n<link rel=\"stylesheet\" href=\"{root}style.css\">\n</head>\n<body>\n\
             <header><a class=\"brand\" href=\"{root}index.html#pending\">UPGRADES \
             <span class=\"{badge_class}\" id=\"pending-badge\" title=\"pending upgrades\">{pending}</span></a>\
             <a href=\"{root}index.html#history\">History</a>\
             <span class=\"repo\">{repo}</span>\
             <span class=\"generated\">generated <time datetime=\"{at}\">{at}</time></span></header>\n<main>\n",
            title = escape(title),
            pending = self.pending,
            repo = escape(self.repo_name),
            at = rfc3339(self.generated_at),
        );
    }

    /// Close a page opened with [`Chrome::open`].
    pub fn close(&self, out: &mut String) {
        out.push_str("</main>\n</body>\n</html>\n");
    }
}

/// One upgrade as a row of the queue page.
pub struct Row {
    /// The id (validated: letters, digits, `.`, `_`, `-`).
    pub id: String,
    /// What the listing knows of it.
    pub summary: Summary,
    /// Open and its head does not contain the target's tip.
    pub needs_rebase: bool,
    /// Approvals that count and approvals required, judged from the events
    /// by the target's policy; None when not judged (then the record's count is shown).
    pub approvals: Option<(usize, usize)>,
    /// Who landed or closed it (closed upgrades).
    pub closed_by: Option<String>,
    /// It has a page of its own (`u/<id>.html`).
    pub has_page: bool,
}

/// The queue page's content.
pub struct Queue<'a> {
    /// Open upgrades, oldest first.
    pub pending: &'a [Row],
    /// Closed upgrades, most recently closed first.
    pub history: &'a [Row],
    /// Upgrades that cannot be read: (id, why).
    pub damaged: &'a [(String, String)],
    /// How many closed upgrades have pages (the most recent ones).
    pub closed_pages: usize,
}

/// The relative age and, as a tooltip, the exact time.
pub fn age_cell(ts: &str) -> String {
    format!(
        "<time datetime=\"{t}\" title=\"{t}\">{age}</time>",
        t = escape(ts),
        age = escape(&crate::ui::render::age(ts)),
    )
}

/// A state word with its colour class.
pub fn state_span(state: State) -> String {
    format!(
        "<span class=\"state state-{s}\">{s}</span>",
        s = state.as_str()
    )
}

/// The tests cell: a class for its colour and the word.
pub fn tests_span(tests: &Option<(String, Option<bool>)>) -> String {
    let (class, word) = match tests {
        None => ("tests-none", "not run".to_string()),
        Some((_, Some(true))) => ("tests-passed", "✓ passed".to_string()),
        Some((status, Some(false))) => ("tests-failed", format!("✗ {}", escape(status))),
        Some((_, None)) => ("tests-none", "not configured".to_string()),
    };
    format!("<span class=\"{class}\">{word}</span>")
}

fn id_cell(row: &Row, root: &str) -> String {
    let id = escape(&row.id);
    if row.has_page {
        format!("<td class=\"id\"><a href=\"{root}u/{id}.html\">{id}</a></td>")
    } else {
        format!("<td class=\"id\">{id}</td>")
    }
}

/// The queue page: pending upgrades (the badge's count), then the history,
/// then any upgrade that could not be read.
pub fn index(chrome: &Chrome<'_>, q: &Queue<'_>) -> String {
    let mut out = String::with_capacity(4096 + 600 * (q.pending.len() + q.history.len()));
    chrome.open(&mut out, &format!("Upgrades: {}", chrome.repo_name), "");
    let _ = write!(
        out,
        "<section id=\"pending\">\n<h2>Pending upgrades ({})</h2>\n",
        q.pending.len()
    );
    if q.pending.is_empty() {
        out.push_str("<p class=\"empty\">Nothing waiting for review.</p>\n");
    } else {
        out.push_str(
            "<table class=\"queue\">\n<thead><tr><th>ID</th><th>Description</th><th>Target</th>\
             <th>Proposed by</th><th>Age</th><th>Tests</th><th>Approvals</th><th>Files</th>\
             <th>Changes</th></tr></thead>\n<tbody>\n",
        );
        for row in q.pending {
            pending_row(&mut out, row);
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
    let _ = write!(
        out,
        "<section id=\"history\">\n<h2>Upgrade history ({})</h2>\n",
        q.history.len()
    );
    if q.history.is_empty() {
        out.push_str("<p class=\"empty\">No closed upgrades.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<p class=\"note\">The {} most recently closed have a page of their own; \
             <code>git upgrades show &lt;id&gt;</code> shows any of them.</p>",
            q.closed_pages
        );
        out.push_str(
            "<table class=\"history\">\n<thead><tr><th>State</th><th>ID</th><th>Description</th>\
             <th>Age</th><th>By</th></tr></thead>\n<tbody>\n",
        );
        for row in q.history {
            history_row(&mut out, row);
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
    if !q.damaged.is_empty() {
        let _ = write!(
            out,
            "<section id=\"damaged\">\n<h2>Unreadable upgrades ({})</h2>\n<table>\n\
             <thead><tr><th>ID</th><th>Why</th></tr></thead>\n<tbody>\n",
            q.damaged.len()
        );
        for (id, why) in q.damaged {
            let _ = writeln!(
                out,
                "<tr class=\"damaged\"><td class=\"id\">{}</td><td>{}</td></tr>",
                escape(id),
                escape(why)
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }
    chrome.close(&mut out);
    out
}

fn pending_row(out: &mut String, row: &Row) {
    let s = &row.summary;
    let mut marks = String::new();
    if s.policy_change {
        marks.push_str("<span class=\"mark policy\">[changes policy]</span>");
    }
    if s.urgent {
        marks.push_str("<span class=\"mark urgent\">[URGENT]</span>");
    }
    if row.needs_rebase {
        marks.push_str("<span class=\"mark rebase\">[needs rebase]</span>");
    }
    let approvals = match row.approvals {
        Some((valid, required)) => format!("{valid}/{required}"),
        None => format!("{}/?", s.approvals),
    };
    let _ = writeln!(
        out,
        "<tr class=\"pending\" id=\"row-{id}\">{idc}<td class=\"desc\">{desc}{marks}</td>\
         <td>{target}</td><td>{by}</td><td>{age}</td><td>{tests}</td>\
         <td class=\"num approvals\">{approvals}</td><td class=\"num\">{files}</td>\
         <td class=\"num\">+{added} −{removed}</td></tr>",
        id = escape(&row.id),
        idc = id_cell(row, ""),
        desc = first_line(&s.description, 120),
        target = escape(&s.target),
        by = escape(&s.proposed_by),
        age = age_cell(&s.proposed_at),
        tests = tests_span(&s.tests),
        files = s.files,
        added = s.added,
        removed = s.removed,
    );
}

fn history_row(out: &mut String, row: &Row) {
    let s = &row.summary;
    let mark = if s.state == State::Applied {
        "✓"
    } else {
        "✗"
    };
    let urgent = if s.urgent {
        "<span class=\"mark urgent\">URGENT</span>"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<tr class=\"history\" data-state=\"{state}\" id=\"row-{id}\"><td>{mark} {st}{urgent}</td>{idc}\
         <td class=\"desc\">{desc}</td><td>{age}</td><td>{by}</td></tr>",
        state = s.state.as_str(),
        id = escape(&row.id),
        st = state_span(s.state),
        idc = id_cell(row, ""),
        desc = first_line(&s.description, 120),
        age = age_cell(&s.updated_at),
        by = escape(row.closed_by.as_deref().unwrap_or("")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_inert() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape("\"><img src=x onerror=alert(1)>"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(escape("a & b &amp; 'c'"), "a &amp; b &amp;amp; &#39;c&#39;");
        assert_eq!(escape("plain text\n\tline"), "plain text\n\tline");
        assert!(matches!(escape("nothing to do"), Cow::Borrowed(_)));
        assert_eq!(escape("\x1b[31mred\r\0"), "^[[31mred^M^@");
        assert_eq!(escape("x\u{202e}y\u{9b}"), "x&lt;U+202E&gt;y&lt;U+009B&gt;");
        assert_eq!(escape_bytes(b"\xff<b>\xfe"), "\u{fffd}&lt;b&gt;\u{fffd}");
        assert_eq!(
            first_line("\n<b>one</b>\ntwo", 80),
            "&lt;b&gt;one&lt;/b&gt;…"
        );
        assert_eq!(first_line("abcdef", 3), "abc…");
    }

    #[test]
    fn no_character_survives_unescaped() {
        // Every character of the first planes, and a few astral ones, alone
        // and between others: no markup character and no control is left.
        let mut all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        all.push_str("\u{1F600}\u{E0001}\u{FEFF}");
        for text in [all.as_str(), "<<>>\"'&&"] {
            let out = escape(text);
            assert!(!out.contains(['<', '>', '"', '\'']), "{out}");
            assert!(
                out.chars()
                    .all(|c| c == '\n' || c == '\t' || !crate::ui::escape::is_unsafe(c)),
                "a control character survived"
            );
            for (i, _) in out.match_indices('&') {
                let rest = &out[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                        .iter()
                        .any(|e| rest.starts_with(e)),
                    "bare & in {rest:.10}"
                );
            }
        }
    }

    fn row(id: &str, state: State, description: &str) -> Row {
        Row {
            id: id.into(),
            summary: Summary {
                state,
                description: description.into(),
                target: "main".into(),
                proposed_by: "Mallory <m@x>".into(),
                proposed_at: "2026-01-01T00:00:00Z".into(),
                updated_at: "2026-01-01T00:00:00Z".into(),
                added: 1,
                removed: 2,
                paths: vec![],
                files: 1,
                tests: Some(("failed".into(), Some(false))),
                approvals: 0,
                policy_change: true,
                urgent: state == State::Applied,
                head: "a".repeat(40),
                base: "b".repeat(40),
                approved_by: vec![],
                revisions: 1,
                requested_by: vec![],
                unresolved_comments: 0,
            },
            needs_rebase: true,
            approvals: Some((0, 1)),
            closed_by: Some("Bob <b@x>".into()),
            has_page: true,
        }
    }

    #[test]
    fn the_queue_page_has_one_row_per_upgrade_and_no_markup_from_data() {
        let pending = [
            row("p1", State::Proposed, "<script>alert(1)</script>"),
            row("p2", State::Approved, "\"><img src=x onerror=alert(1)>"),
        ];
        let history = [row("h1", State::Applied, "landed & done")];
        let damaged = [("d1".to_string(), "bad <record>".to_string())];
        let chrome = Chrome {
            repo_name: "<repo>",
            pending: 2,
            generated_at: 0,
        };
        let html = index(
            &chrome,
            &Queue {
                pending: &pending,
                history: &history,
                damaged: &damaged,
                closed_pages: 1,
            },
        );
        assert_eq!(html.matches("<tr class=\"pending\"").count(), 2);
        assert_eq!(html.matches("<tr class=\"history").count(), 1);
        assert_eq!(html.matches("<tr class=\"damaged\"").count(), 1);
        assert!(!html.contains("<script") && !html.contains("<img"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("[needs rebase]") && html.contains("[changes policy]"));
        assert!(html.contains("id=\"pending-badge\" title=\"pending upgrades\">2</span>"));
        assert!(html.contains("<a href=\"u/p1.html\">p1</a>"));
        assert!(html.contains("&lt;repo&gt;") && html.contains("URGENT"));
    }
}
