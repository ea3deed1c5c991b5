//! `git upgrades list` and `git upgrades status` (the default command).

use clap::Args;

use crate::error::{Error, Result};
use crate::record::State;
use crate::store::{Listed, Store, Upgrade};
use crate::ui::json::{DamagedJson, UpgradeJson, JSON_FORMAT};
use crate::ui::render;
use crate::ui::{Style, Ui};

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
}

impl Default for StatusArgs {
    fn default() -> Self {
        StatusArgs { history: 10 }
    }
}

fn parse_state(text: &str) -> std::result::Result<State, String> {
    State::parse(text).ok_or_else(|| {
        let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown state {text:?} (one of: {})", names.join(", "))
    })
}

/// Readable upgrades and the ids that could not be read, with why.
type Loaded = (Vec<Upgrade>, Vec<(String, Error)>);

fn load_all(ui: &mut Ui) -> Result<Loaded> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for item in store.list()? {
        match item {
            Listed::Ok(u) => good.push(u),
            Listed::Err((id, e)) => {
                if !ui.json {
                    ui.warn(&format!("upgrade {id}: {e}"));
                }
                bad.push((id, e));
            }
        }
    }
    Ok((good, bad))
}

/// Run `list`.
pub fn list(ui: &mut Ui, args: &ListArgs) -> Result<u8> {
    let (mut ups, bad) = load_all(ui)?;
    ups.retain(|u| {
        if !args.state.is_empty() {
            args.state.contains(&u.record.state)
        } else {
            args.all || u.record.state.is_open()
        }
    });
    ups.sort_by(|a, b| (&a.record.proposed_at, &a.id).cmp(&(&b.record.proposed_at, &b.id)));
    if ui.json {
        let mut items: Vec<serde_json::Value> = Vec::with_capacity(ups.len() + bad.len());
        for u in &ups {
            items.push(serde_json::to_value(UpgradeJson::new(u)).map_err(std::io::Error::from)?);
        }
        for (id, e) in &bad {
            let d = DamagedJson {
                format: JSON_FORMAT,
                id,
                state: None,
                error: e.to_string(),
            };
            items.push(serde_json::to_value(d).map_err(std::io::Error::from)?);
        }
        return ui.json_pretty(&items).map(|_| 0);
    }
    if ups.is_empty() {
        ui.note(if args.all || !args.state.is_empty() {
            "no upgrades"
        } else {
            "no open upgrades"
        });
        return Ok(0);
    }
    let refs: Vec<&Upgrade> = ups.iter().collect();
    render::table(ui, &refs)?;
    Ok(0)
}

/// Run `status`: the pending panel with its count, then recent history.
pub fn status(ui: &mut Ui, args: &StatusArgs) -> Result<u8> {
    let (mut ups, bad) = load_all(ui)?;
    ups.sort_by(|a, b| (&a.record.proposed_at, &a.id).cmp(&(&b.record.proposed_at, &b.id)));
    let (pending, mut closed): (Vec<&Upgrade>, Vec<&Upgrade>) =
        ups.iter().partition(|u| u.record.state.is_open());
    closed.sort_by(|a, b| {
        b.record
            .updated_at
            .cmp(&a.record.updated_at)
            .then(a.id.cmp(&b.id))
    });
    closed.truncate(args.history);
    if ui.json {
        #[derive(serde::Serialize)]
        struct StatusJson<'a> {
            format: u32,
            pending_count: usize,
            pending: Vec<UpgradeJson<'a>>,
            recent: Vec<UpgradeJson<'a>>,
            damaged: Vec<DamagedJson<'a>>,
        }
        let s = StatusJson {
            format: JSON_FORMAT,
            pending_count: pending.len(),
            pending: pending.iter().map(|u| UpgradeJson::new(u)).collect(),
            recent: closed.iter().map(|u| UpgradeJson::new(u)).collect(),
            damaged: bad
                .iter()
                .map(|(id, e)| DamagedJson {
                    format: JSON_FORMAT,
                    id,
                    state: None,
                    error: e.to_string(),
                })
                .collect(),
        };
        return ui.json_pretty(&s).map(|_| 0);
    }
    let heading = format!("Pending upgrades ({})", pending.len());
    ui.line(&ui.paint(Style::Bold, &heading))?;
    if pending.is_empty() {
        ui.line(&ui.paint(Style::Dim, "  nothing waiting for review"))?;
    }
    for u in &pending {
        let r = &u.record;
        let desc = crate::record::sanitize_line(&r.description, 70);
        let mut flag = if r.policy_change {
            ui.paint(Style::Warn, " [changes policy]")
        } else {
            String::new()
        };
        if r.urgent.is_some() {
            flag.push_str(&ui.paint(Style::Bad, " [URGENT]"));
        }
        ui.line(&format!("  {}  {desc}{flag}", ui.paint(Style::Id, &u.id)))?;
        let files: Vec<&str> = r.files.iter().take(3).map(|f| f.path.as_str()).collect();
        let more = if r.files.len() > 3 {
            format!(" (+{} more)", r.files.len() - 3)
        } else {
            String::new()
        };
        ui.line(&format!(
            "      {} -> {}  {} by {}  +{} -{}  {}{more}",
            render::state(ui, r.state),
            r.target,
            render::age(&r.proposed_at),
            r.proposed_by,
            r.stats.added,
            r.stats.removed,
            crate::record::sanitize_line(&files.join(", "), 60),
        ))?;
        let approvals = r.approvals_for_head();
        ui.line(&format!(
            "      tests: {}  approvals: {approvals}",
            render::tests_summary(ui, &r.tests)
        ))?;
    }
    if !closed.is_empty() {
        ui.line("")?;
        ui.line(&ui.paint(Style::Bold, "Recent history"))?;
        for u in &closed {
            let r = &u.record;
            let mark = if r.state == State::Applied {
                ui.paint(Style::Good, ui.check())
            } else {
                ui.paint(Style::Bad, ui.cross())
            };
            let state_plain = crate::ui::fit(r.state.as_str(), 11);
            let mut state = render::state(ui, r.state) + &state_plain[r.state.as_str().len()..];
            if r.urgent.is_some() {
                state.push_str(&ui.paint(Style::Bad, " URGENT"));
            }
            ui.line(&format!(
                "  {mark} {}  {state}  {}  {}",
                ui.paint(Style::Id, &crate::ui::fit(&u.id, 10)),
                crate::ui::fit(&render::age(&r.updated_at), 9),
                crate::record::sanitize_line(&r.description, 60)
            ))?;
        }
    }
    Ok(0)
}
