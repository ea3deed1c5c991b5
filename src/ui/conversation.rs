//! The review conversation as people read it: change requests, general
//! comments, comments under the lines they are about (with a few lines of
//! the current revision above them), and outdated comments with the line as
//! it was. Also the comment objects of `show --json`.

use std::collections::BTreeMap;

use super::escape::{self, text_max};
use super::json::{ChangeRequestJson, CommentJson};
use super::render::who;
use super::{Style, Ui};
use crate::conversation::{Files, Placed};
use crate::diff;
use crate::error::Result;
use crate::replay::History;
use crate::time::{now_unix, relative, rfc3339};

/// Lines of the current revision shown above an anchored comment.
const CONTEXT_LINES: u64 = 2;

/// How to paint: stdout's or stderr's colours, and the marks.
pub struct Pen<'a> {
    ui: &'a Ui,
    stderr: bool,
}

impl<'a> Pen<'a> {
    /// For lines printed on stdout.
    pub fn stdout(ui: &'a Ui) -> Self {
        Pen { ui, stderr: false }
    }

    /// For lines printed on stderr (the interactive review).
    pub fn stderr(ui: &'a Ui) -> Self {
        Pen { ui, stderr: true }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.stderr {
            self.ui.paint_err(style, text)
        } else {
            self.ui.paint(style, text)
        }
    }
}

type Paint<'a> = &'a Pen<'a>;

fn when(t: i64) -> String {
    relative(t, now_unix())
}

/// One thread: its first comment and the replies, in order.
struct Thread<'p, 'h> {
    root: &'p Placed<'h>,
    replies: Vec<&'p Placed<'h>>,
}

fn threads<'p, 'h>(placed: &'p [Placed<'h>]) -> Vec<Thread<'p, 'h>> {
    let mut out: Vec<Thread<'p, 'h>> = Vec::new();
    for p in placed {
        if p.root == p.comment.id {
            out.push(Thread {
                root: p,
                replies: Vec::new(),
            });
        } else if let Some(t) = out.iter_mut().find(|t| t.root.comment.id == p.root) {
            t.replies.push(p);
        }
    }
    out
}

/// The comment's header and text, indented.
fn comment_lines(paint: Paint<'_>, p: &Placed<'_>, indent: &str, reply: bool) -> Vec<String> {
    let c = p.comment;
    let mark = if reply { "↳ " } else { "" };
    let resolved = if !reply && c.resolved_by.is_some() {
        paint.paint(Style::Dim, " [resolved]")
    } else {
        String::new()
    };
    let mut out = vec![format!(
        "{indent}{mark}{} {} on revision {} {}{resolved}",
        who(&c.by),
        when(c.time),
        p.revision,
        paint.paint(Style::Id, &format!("[{}]", c.id.to_hex_with_len(10)))
    )];
    for line in c.text.lines() {
        out.push(format!(
            "{indent}{}  {}",
            if reply { "  " } else { "" },
            text_max(&line.replace('\t', "    "), 300)
        ));
    }
    out
}

fn thread_lines(paint: Paint<'_>, t: &Thread<'_, '_>, indent: &str) -> Vec<String> {
    let mut out = comment_lines(paint, t.root, indent, false);
    for r in &t.replies {
        out.extend(comment_lines(paint, r, indent, true));
    }
    out
}

/// The change requests, then the comments: general ones, under their lines
/// per file, on whole files, and outdated ones.
pub fn lines(
    paint: Paint<'_>,
    h: &History,
    placed: &[Placed<'_>],
    files: &mut Files<'_>,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if !h.change_requests.is_empty() {
        out.push(String::new());
        out.push(paint.paint(Style::Bold, "Changes requested"));
        for r in &h.change_requests {
            let revision = h.revision_of(&r.head).unwrap_or(1);
            let (mark, state) = match r.cleared_by {
                None => (
                    paint.paint(Style::Bad, paint.ui.cross()),
                    paint.paint(Style::Bad, "open"),
                ),
                Some(_) => (
                    paint.paint(Style::Good, paint.ui.check()),
                    paint.paint(Style::Dim, "cleared"),
                ),
            };
            out.push(format!(
                "  {mark} {} {} on revision {} {} ({state}): {}",
                who(&r.by),
                when(r.time),
                revision,
                paint.paint(Style::Id, &format!("[{}]", r.commit.to_hex_with_len(10))),
                text_max(&r.text.replace('\n', " "), 200)
            ));
        }
    }
    if placed.is_empty() {
        return Ok(out);
    }
    let all = threads(placed);
    out.push(String::new());
    out.push(paint.paint(
        Style::Bold,
        &format!(
            "Comments ({}, {} unresolved)",
            placed.len(),
            h.unresolved_comments()
        ),
    ));
    for t in all.iter().filter(|t| t.root.comment.file.is_none()) {
        out.extend(thread_lines(paint, t, "  "));
    }
    // Current threads on files, by path, then line (file comments first).
    let mut by_file: BTreeMap<&str, Vec<&Thread<'_, '_>>> = BTreeMap::new();
    for t in all.iter().filter(|t| !t.root.outdated) {
        if let Some(f) = &t.root.comment.file {
            by_file.entry(f.as_str()).or_default().push(t);
        }
    }
    for (path, mut ts) in by_file {
        ts.sort_by_key(|t| t.root.current_line.unwrap_or(0));
        out.push(format!(
            "  {}",
            paint.paint(Style::Bold, &escape::path(path))
        ));
        let head_text = files.file(&h.head, path)?.text().map(str::to_string);
        let base_text = files.file(&h.base, path)?.text().map(str::to_string);
        let added = match (&base_text, &head_text) {
            (Some(b), Some(n)) => diff::added_lines(b, n),
            (None, Some(n)) => vec![true; diff::count_lines(n) as usize],
            _ => Vec::new(),
        };
        let file_lines: Vec<&str> = head_text.as_deref().unwrap_or("").lines().collect();
        for t in ts {
            if let Some(line) = t.root.current_line {
                let from = line.saturating_sub(CONTEXT_LINES).max(1);
                for n in from..=line {
                    let Some(text) = file_lines.get(n as usize - 1) else {
                        continue;
                    };
                    let plus = added.get(n as usize - 1).copied().unwrap_or(false);
                    let body = format!(
                        "{} {n:>5} | {}",
                        if plus { "+" } else { " " },
                        text_max(&text.replace('\t', "    "), 200)
                    );
                    out.push(format!(
                        "  {}",
                        if plus {
                            paint.paint(Style::Good, &body)
                        } else {
                            paint.paint(Style::Dim, &body)
                        }
                    ));
                }
            } else {
                out.push(format!(
                    "    {}",
                    paint.paint(Style::Dim, "(on the whole file)")
                ));
            }
            out.extend(thread_lines(paint, t, "      "));
        }
    }
    let outdated: Vec<&Thread<'_, '_>> = all.iter().filter(|t| t.root.outdated).collect();
    if !outdated.is_empty() {
        out.push(String::new());
        out.push(paint.paint(
            Style::Bold,
            "Outdated (what they were about changed in a later revision)",
        ));
        for t in outdated {
            let c = t.root.comment;
            let path = c.file.as_deref().unwrap_or("");
            match c.line {
                Some(line) => {
                    out.push(format!(
                        "  {}:{line} on revision {}",
                        paint.paint(Style::Bold, &escape::path(path)),
                        t.root.revision
                    ));
                    let then = files.file(&c.head, path)?.text().map(str::to_string);
                    if let Some(text) = then
                        .as_deref()
                        .and_then(|t| t.lines().nth(line as usize - 1))
                    {
                        out.push(format!(
                            "  {}",
                            paint.paint(
                                Style::Dim,
                                &format!(
                                    "  {line:>5} | {}",
                                    text_max(&text.replace('\t', "    "), 200)
                                )
                            )
                        ));
                    }
                }
                None => out.push(format!(
                    "  {} on revision {}",
                    paint.paint(Style::Bold, &escape::path(path)),
                    t.root.revision
                )),
            }
            out.extend(thread_lines(paint, t, "      "));
        }
    }
    Ok(out)
}

/// The comments of `show --json`, in chain order.
pub fn json<'h>(placed: &[Placed<'h>]) -> Vec<CommentJson<'h>> {
    placed
        .iter()
        .map(|p| {
            let c = p.comment;
            CommentJson {
                at: rfc3339(c.time),
                by: &c.by,
                current_line: p.current_line,
                file: c.file.as_deref(),
                head: &c.head,
                id: c.id.to_string(),
                line: c.line,
                outdated: p.outdated,
                reply_to: c.reply_to.map(|r| r.to_string()),
                resolved: c.reply_to.is_none() && c.resolved_by.is_some(),
                revision: p.revision,
                text: &c.text,
                thread: p.root.to_string(),
            }
        })
        .collect()
}

/// The change requests of `show --json`.
pub fn requests_json(h: &History) -> Vec<ChangeRequestJson<'_>> {
    h.change_requests
        .iter()
        .map(|r| ChangeRequestJson {
            at: rfc3339(r.time),
            by: &r.by,
            cleared_by: r.cleared_by.map(|c| c.to_string()),
            head: &r.head,
            id: r.commit.to_string(),
            open: r.cleared_by.is_none(),
            revision: h.revision_of(&r.head),
            text: &r.text,
        })
        .collect()
}
