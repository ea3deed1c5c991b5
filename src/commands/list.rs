//! `git upgrades list` and `git upgrades status` (the default command).
//! Both read the queue through the listing cache (`store::cache`).

use clap::Args;

use gix::ObjectId;

use crate::error::Result;
use crate::record::State;
use crate::store::cache::{self, Entry, Listing, Summary};
use crate::store::Store;
use crate::ui::escape::{self, text_max};
use crate::ui::json::{DamagedJson, StatusCountJson, StatusJson, JSON_FORMAT};
use crate::ui::render;
use crate::ui::{fit, Style, Ui};

/// List upgrades (open ones by default)
#[derive(Args, Debug, Clone, Default)]
pub struct ListArgs {
    /// Only upgrades in this state (repeatable)
    #[arg(long, value_name = "STATE", value_parser = parse_state)]
    pub state: Vec<State>,
    /// Include closed upgrades (rejected, expired, applied, failed, rolled back)
    #[arg(short, long)]
    pub all: bool,
}

/// Show the pending queue and recent history
#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    /// How many recent closed upgrades to show
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub history: usize,
    /// Print only `<pending> <awaiting-me>`, fast enough for a shell prompt
    #[arg(long)]
    pub count: bool,
}

impl Default for StatusArgs {
    fn default() -> Self {
        StatusArgs {
            history: 10,
            count: false,
        }
    }
}

fn parse_state(text: &str) -> std::result::Result<State, String> {
    State::parse(text).ok_or_else(|| {
        let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown state {text:?} (one of: {})", names.join(", "))
    })
}

/// Which open upgrades need a rebase: each target's tip read once, and its
/// history only when a head is not simply based on it.
struct Staleness<'a> {
    store: &'a Store<'a>,
    tips: std::collections::HashMap<String, Option<ObjectId>>,
    histories: crate::graph::TipHistories,
}

impl<'a> Staleness<'a> {
    fn new(store: &'a Store<'a>) -> Self {
        Staleness {
            store,
            tips: Default::default(),
            histories: Default::default(),
        }
    }

    fn stale(&mut self, s: &Summary) -> bool {
        if !s.state.is_open() {
            return false;
        }
        let store = self.store;
        let tip = *self
            .tips
            .entry(s.target.clone())
            .or_insert_with(|| crate::ops::branch_tip(store, &s.target).ok());
        tip.is_some_and(|tip| {
            self.histories
                .needs_rebase(store.repo, tip, &s.base, &s.head)
        })
    }
}

/// Each target's committed policy, read once per target (None: unreadable).
struct Policies<'a> {
    store: &'a Store<'a>,
    by_target: std::collections::HashMap<String, Option<crate::config::Policy>>,
}

impl<'a> Policies<'a> {
    fn new(store: &'a Store<'a>) -> Self {
        Policies {
            store,
            by_target: Default::default(),
        }
    }

    fn of(&mut self, target: &str) -> Option<&crate::config::Policy> {
        let store = self.store;
        self.by_target
            .entry(target.to_string())
            .or_insert_with(|| {
                crate::ops::branch_tip(store, target)
                    .and_then(|tip| crate::ops::policy_at(store.repo, target, tip))
                    .ok()
            })
            .as_ref()
    }

    /// `1/2`: approvals of the current head of the policy's required count.
    fn approvals(&mut self, s: &Summary) -> String {
        match self.of(&s.target) {
            Some(p) => format!("{}/{}", s.approvals, p.required_approvals),
            None => s.approvals.to_string(),
        }
    }
}

/// The flags after a description: revisions and change requests.
fn review_flags(s: &Summary) -> String {
    let mut flag = String::new();
    if s.revisions > 1 {
        flag.push_str(&format!(" [revision {}]", s.revisions));
    }
    if s.state.is_open() && !s.requested_by.is_empty() {
        flag.push_str(" [changes requested]");
    }
    flag
}

/// Readable entries and unreadable ones (id, why).
type Loaded = (Vec<(String, Listing)>, Vec<(String, String)>);

fn load_all(ui: &mut Ui, store: &Store<'_>) -> Result<Loaded> {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    // In the cache's own order, so its data is read front to back.
    let mut entries = cache::list(store, crate::ui::json::LISTED)?;
    entries.sort_by(cache::listing_order);
    for Entry { id, data, .. } in entries {
        match data {
            Ok(listing) => good.push((id, listing)),
            Err(why) => {
                if !ui.json {
                    ui.warn(&format!(
                        "upgrade {}: {}",
                        escape::text(&id),
                        escape::text(&why)
                    ));
                }
                bad.push((id, why));
            }
        }
    }
    Ok((good, bad))
}

/// Run `list`.
pub fn list(ui: &mut Ui, args: &ListArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let (mut ups, bad) = load_all(ui, &store)?;
    ups.retain(|(_, s)| {
        if !args.state.is_empty() {
            args.state.contains(&s.state)
        } else {
            args.all || s.state.is_open()
        }
    });
    if ui.json {
        // Elements were rendered when cached: one object per line, read
        // from the cache one at a time (in the order the cache keeps them).
        let damaged: Vec<String> = bad
            .iter()
            .map(|(id, why)| serde_json::to_string(&DamagedJson::new(id, why)))
            .collect::<serde_json::Result<_>>()
            .map_err(std::io::Error::from)?;
        let count = ups.len() + damaged.len();
        if count == 0 {
            ui.line("[]")?;
            return Ok(0);
        }
        ui.line("[")?;
        let elements = ups
            .iter()
            .map(|(_, l)| l.json())
            .chain(damaged.into_iter().map(|d| Ok(d.into_bytes())));
        for (n, element) in elements.enumerate() {
            ui.raw(&element?)?;
            ui.raw(if n + 1 == count { b"\n" } else { b",\n" })?;
        }
        ui.line("]")?;
        return Ok(0);
    }
    if ups.is_empty() {
        ui.note(if args.all || !args.state.is_empty() {
            "no upgrades"
        } else {
            "no open upgrades"
        });
        return Ok(0);
    }
    let rows: Vec<(String, Summary)> = ups
        .iter()
        .map(|(id, l)| l.summary().map(|s| (id.clone(), s)))
        .collect::<Result<_>>()?;
    let mut staleness = Staleness::new(&store);
    let stale: Vec<bool> = rows.iter().map(|(_, s)| staleness.stale(s)).collect();
    let mut policies = Policies::new(&store);
    let approvals: Vec<String> = rows.iter().map(|(_, s)| policies.approvals(s)).collect();
    table(ui, &rows, &stale, &approvals)?;
    Ok(0)
}

fn tests_word(ui: &Ui, tests: &Option<(String, Option<bool>)>) -> (String, Option<bool>) {
    match tests {
        None => ("not run".into(), None),
        Some((_, Some(true))) => (format!("{} passed", ui.check()), Some(true)),
        Some((status, Some(false))) => (
            format!("{} {}", ui.cross(), escape::text(status)),
            Some(false),
        ),
        Some((_, None)) => ("not configured".into(), None),
    }
}

fn painted_tests(ui: &Ui, tests: &Option<(String, Option<bool>)>, width: usize) -> String {
    let (word, passed) = tests_word(ui, tests);
    let word = if width > 0 { fit(&word, width) } else { word };
    match passed {
        Some(true) => ui.paint(Style::Good, &word),
        Some(false) => ui.paint(Style::Bad, &word),
        None => ui.paint(Style::Dim, &word),
    }
}

/// An aligned table that fits the terminal width.
fn table(
    ui: &mut Ui,
    ups: &[(String, Summary)],
    stale: &[bool],
    approvals: &[String],
) -> Result<()> {
    let width = ui.width();
    let id_w = ups
        .iter()
        .map(|u| u.0.chars().count())
        .max()
        .unwrap_or(2)
        .clamp(2, 20);
    let (state_w, age_w, approvals_w) = (11, 10, 9);
    // As wide as the widest test word shown, so the description keeps its room.
    let tests_w = ups
        .iter()
        .map(|(_, s)| tests_word(ui, &s.tests).0.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 16);
    let changes: Vec<String> = ups
        .iter()
        .map(|(_, s)| format!("+{} -{}", s.added, s.removed))
        .collect();
    let changes_w = changes.iter().map(|c| c.len()).max().unwrap_or(7).max(7);
    let desc_w = width
        .saturating_sub(id_w + state_w + age_w + tests_w + changes_w + approvals_w + 12)
        .max(20);
    let header = format!(
        "{}  {}  {}  {}  {}  {}  DESCRIPTION",
        fit("ID", id_w),
        fit("STATE", state_w),
        fit("AGE", age_w),
        fit("CHANGES", changes_w),
        fit("TESTS", tests_w),
        fit("APPROVALS", approvals_w)
    );
    ui.line(&ui.paint(Style::Dim, &header))?;
    for ((((id, s), ch), stale), approved) in ups.iter().zip(&changes).zip(stale).zip(approvals) {
        // Marks first: a narrow terminal cuts the description, never them.
        let mut flag = if s.policy_change { " [policy]" } else { "" }.to_string();
        if *stale {
            flag.push_str(" [needs rebase]");
        }
        flag.push_str(&review_flags(s));
        // The flags say what blocks it: the description gives way to them.
        let room = desc_w.saturating_sub(flag.chars().count()).max(10);
        let desc = format!("{}{flag}", text_max(&s.description, room));
        let st = render::state(ui, s.state);
        let pad = " ".repeat(state_w.saturating_sub(s.state.as_str().len()));
        let line = format!(
            "{}  {st}{pad}  {}  {}  {}  {}  {}",
            ui.paint(Style::Id, &fit(&escape::text(id), id_w)),
            fit(&render::age(&s.updated_at), age_w),
            fit(ch, changes_w),
            painted_tests(ui, &s.tests, tests_w),
            fit(if s.state.is_open() { approved } else { "" }, approvals_w),
            fit(&desc, desc_w),
        );
        ui.line(line.trim_end())?;
    }
    Ok(())
}

/// `signed`, `signed-paths` or `claimed`: how approvals on `target` are
/// authenticated under its committed policy (`claimed` when unreadable).
fn identity_mode(store: &Store<'_>, target: &str) -> &'static str {
    let policy = crate::ops::branch_tip(store, target)
        .and_then(|tip| crate::ops::policy_at(store.repo, target, tip));
    match policy {
        Ok(p) if p.require_signed_approvals => "signed",
        Ok(p) if !p.signed_paths.is_empty() => "signed-paths",
        _ => "claimed",
    }
}

/// Run `status`: the pending panel with its count, then recent history.
pub fn status(ui: &mut Ui, args: &StatusArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    if args.count {
        let me = crate::repo::email_without_spawning(&repo).unwrap_or_default();
        let c = crate::store::badge::counts(&store, &me, crate::ui::json::LISTED)?;
        if ui.json {
            let count = StatusCountJson {
                format: JSON_FORMAT,
                pending: c.pending,
                awaiting_me: c.awaiting_me,
            };
            ui.line(&count.line())?;
        } else {
            ui.line(&format!("{} {}", c.pending, c.awaiting_me))?;
        }
        return Ok(0);
    }
    let (ups, bad) = load_all(ui, &store)?;
    let (pending, mut closed): (Vec<_>, Vec<_>) = ups.iter().partition(|(_, l)| l.state.is_open());
    closed.sort_by(|a, b| b.1.updated_at.cmp(&a.1.updated_at).then(a.0.cmp(&b.0)));
    closed.truncate(args.history);
    // Each pending summary read once (from the cache file), used thrice.
    let summaries: Vec<Summary> = pending
        .iter()
        .map(|(_, l)| l.summary())
        .collect::<Result<_>>()?;
    // How approvals on each pending target prove who gave them (docs/TRUST.md).
    let mut identity: std::collections::BTreeMap<String, &'static str> = Default::default();
    for s in &summaries {
        if let std::collections::btree_map::Entry::Vacant(e) = identity.entry(s.target.clone()) {
            let mode = identity_mode(&store, e.key());
            e.insert(mode);
        }
    }
    let mut policies = Policies::new(&store);
    let mut staleness = Staleness::new(&store);
    let mut stale_ids = Vec::new();
    for ((id, _), s) in pending.iter().zip(&summaries) {
        if staleness.stale(s) {
            stale_ids.push(id.clone());
        }
    }
    let stale_set: std::collections::HashSet<&str> = stale_ids.iter().map(|s| s.as_str()).collect();
    if ui.json {
        let mut required: std::collections::BTreeMap<&str, u32> = Default::default();
        for target in identity.keys() {
            if let Some(p) = policies.of(target) {
                required.insert(target.as_str(), p.required_approvals);
            }
        }
        let pending_json: Vec<Vec<u8>> = pending
            .iter()
            .map(|(_, l)| l.json())
            .collect::<Result<_>>()?;
        let recent_json: Vec<Vec<u8>> = closed
            .iter()
            .map(|(_, l)| l.json())
            .collect::<Result<_>>()?;
        let status = StatusJson {
            format: JSON_FORMAT,
            pending_count: pending.len(),
            pending: pending_json.iter().map(Vec::as_slice).collect(),
            recent: recent_json.iter().map(Vec::as_slice).collect(),
            damaged: bad
                .iter()
                .map(|(id, why)| DamagedJson::new(id, why))
                .collect(),
            identity: &identity,
            required_approvals: required,
            needs_rebase: &stale_ids,
        };
        ui.line(&status.render().map_err(std::io::Error::from)?)?;
        return Ok(0);
    }
    let heading = format!("Pending upgrades ({})", pending.len());
    ui.line(&ui.paint(Style::Bold, &heading))?;
    if pending.is_empty() {
        ui.line(&ui.paint(Style::Dim, "  nothing waiting for review"))?;
    }
    for ((id, _), s) in pending.iter().zip(&summaries) {
        let desc = text_max(&s.description, 70);
        let mut flag = if s.policy_change {
            ui.paint(Style::Warn, " [changes policy]")
        } else {
            String::new()
        };
        if s.urgent {
            flag.push_str(&ui.paint(Style::Bad, " [URGENT]"));
        }
        if stale_set.contains(id.as_str()) {
            flag.push_str(&ui.paint(Style::Warn, " [needs rebase]"));
        }
        if s.revisions > 1 {
            flag.push_str(&format!(" [revision {}]", s.revisions));
        }
        ui.line(&format!(
            "  {}  {desc}{flag}",
            ui.paint(Style::Id, &escape::text(id))
        ))?;
        let paths: Vec<_> = s.paths.iter().map(|p| escape::path(p)).collect();
        let paths = paths.join(", ");
        let more = if s.files > 3 {
            format!(" (+{} more)", s.files - 3)
        } else {
            String::new()
        };
        ui.line(&format!(
            "      {} -> {}  {} by {}  +{} -{}  {}{more}",
            render::state(ui, s.state),
            escape::text(&s.target),
            render::age(&s.proposed_at),
            render::who(&s.proposed_by),
            s.added,
            s.removed,
            text_max(&paths, 60),
        ))?;
        let mode = identity.get(&s.target).copied().unwrap_or("claimed");
        let mut review = String::new();
        if !s.requested_by.is_empty() {
            let who: Vec<String> = s.requested_by.iter().map(|w| render::who(w)).collect();
            review.push_str(&ui.paint(
                Style::Bad,
                &format!("  changes requested by {}", who.join(", ")),
            ));
        }
        if s.unresolved_comments > 0 {
            review.push_str(&format!(
                "  {}",
                crate::text::plural(s.unresolved_comments, "unresolved comment")
            ));
        }
        ui.line(&format!(
            "      tests: {}  approvals: {} ({}){review}",
            painted_tests(ui, &s.tests, 0),
            policies.approvals(s),
            match mode {
                "signed" => "signed",
                "signed-paths" => "signed for policy.signed_paths, else claimed",
                _ => "unsigned: claimed identities",
            }
        ))?;
    }
    if !closed.is_empty() {
        ui.line("")?;
        ui.line(&ui.paint(Style::Bold, "Recent history"))?;
        for (id, l) in &closed {
            let s = l.summary()?;
            let mark = if s.state == State::Applied {
                ui.paint(Style::Good, ui.check())
            } else {
                ui.paint(Style::Bad, ui.cross())
            };
            let state_plain = fit(s.state.as_str(), 11);
            let mut state = render::state(ui, s.state) + &state_plain[s.state.as_str().len()..];
            if s.urgent {
                state.push_str(&ui.paint(Style::Bad, " URGENT"));
            }
            ui.line(&format!(
                "  {mark} {}  {state}  {}  {}",
                ui.paint(Style::Id, &fit(&escape::text(id), 10)),
                fit(&render::age(&s.updated_at), 9),
                text_max(&s.description, 60)
            ))?;
        }
    }
    Ok(0)
}
