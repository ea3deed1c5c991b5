//! Everything that touches the terminal: colour and TTY decisions, aligned
//! tables, relative times, marks, the pager and the test spinner. Domain
//! modules never print; commands render through a [`Ui`], whose writers pass
//! every line through [`escape::terminal`] (or [`escape::json`] for JSON), so
//! no control character from data reaches the terminal. [`html`] renders the
//! static dashboard of `export`, through its own escaping function.

pub mod conversation;
pub use crate::text::escape;
pub mod html;
pub mod json;
pub mod pager;
pub mod progress;
pub mod render;

use std::io::{IsTerminal, Write};

use crate::error::Result;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Resolved output settings for one command.
pub struct Ui {
    /// Emit JSON instead of human output.
    pub json: bool,
    /// Use ANSI colours on stdout.
    pub color: bool,
    /// Use ANSI colours on stderr.
    pub color_err: bool,
    /// `--quiet`: no progress, fewer messages.
    pub quiet: bool,
    /// `--verbose`: stream test output.
    pub verbose: bool,
    /// stdout is a terminal.
    pub stdout_tty: bool,
    /// stderr is a terminal.
    pub stderr_tty: bool,
    /// Unicode marks (✓ ✗) or plain ASCII.
    pub unicode: bool,
    choice: ColorChoice,
    /// stdout, buffered; flushed before anything goes to stderr so that a
    /// result is always seen before the notes and hints that follow it.
    out: std::cell::RefCell<Box<dyn Write>>,
}

/// ANSI styles we use.
#[derive(Debug, Clone, Copy)]
pub enum Style {
    /// Ids and hashes.
    Id,
    /// Good news.
    Good,
    /// Bad news.
    Bad,
    /// Attention.
    Warn,
    /// De-emphasised.
    Dim,
    /// Headings.
    Bold,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Id => "33",
            Style::Good => "32",
            Style::Bad => "31",
            Style::Warn => "35",
            Style::Dim => "2",
            Style::Bold => "1",
        }
    }
}

impl Ui {
    /// Decide colours and terminals once, from flags and environment.
    pub fn new(json: bool, color: ColorChoice, quiet: bool, verbose: bool) -> Ui {
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let resolve = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color && !json,
        };
        let lang = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .unwrap_or_default();
        let unicode = lang.to_ascii_uppercase().contains("UTF-8")
            || lang.to_ascii_uppercase().contains("UTF8");
        Ui {
            json,
            color: resolve(stdout_tty),
            color_err: resolve(stderr_tty),
            quiet,
            verbose,
            stdout_tty,
            stderr_tty,
            unicode,
            choice: color,
            out: std::cell::RefCell::new(Box::new(std::io::BufWriter::new(std::io::stdout()))),
        }
    }

    /// Honour git's `color.ui` (`never`/`false` or `always`/`true`) when
    /// `--color` was left at `auto`; `NO_COLOR` still wins.
    pub fn apply_repo_config(&mut self, repo: &gix::Repository) {
        if self.choice != ColorChoice::Auto || self.json {
            return;
        }
        let Some(value) = repo.config_snapshot().string("color.ui") else {
            return;
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        match value.to_string().to_ascii_lowercase().as_str() {
            "never" | "false" | "no" | "off" => {
                self.color = false;
                self.color_err = false;
            }
            "always" | "true" | "yes" | "on" if !no_color => {
                self.color = true;
                self.color_err = true;
            }
            _ => {}
        }
    }

    /// Paint `text` for stdout.
    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", style.code())
        } else {
            text.to_string()
        }
    }

    /// Paint `text` for stderr.
    pub fn paint_err(&self, style: Style, text: &str) -> String {
        if self.color_err && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", style.code())
        } else {
            text.to_string()
        }
    }

    /// ✓ or a plain fallback.
    pub fn check(&self) -> &'static str {
        if self.unicode {
            "✓"
        } else {
            "+"
        }
    }

    /// ✗ or a plain fallback.
    pub fn cross(&self) -> &'static str {
        if self.unicode {
            "✗"
        } else {
            "x"
        }
    }

    /// `text` made safe for stdout: [`escape::json`] in JSON mode, else
    /// [`escape::terminal`] keeping only our own colour sequences.
    fn guard<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        if self.json {
            escape::json(text)
        } else {
            escape::terminal(text, self.color)
        }
    }

    /// `text` as [`Ui::raw`] would print it (through the escaping guard).
    pub fn guarded<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        self.guard(text)
    }

    /// Write bytes that went through [`Ui::guarded`] earlier (output kept in
    /// a derived cache of this repository's private directory), unchanged.
    pub fn verbatim(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.get_mut().write_all(bytes)?;
        Ok(())
    }

    /// Write a line to stdout (through the escaping guard).
    pub fn line(&mut self, text: &str) -> Result<()> {
        let safe = self.guard(text);
        self.out.get_mut().write_all(safe.as_bytes())?;
        self.out.get_mut().write_all(b"\n")?;
        Ok(())
    }

    /// Write a line of a diff's body. On a terminal (or the pager) it passes
    /// the guard like any line; into a pipe or file it is written byte for
    /// byte, so the output stays a patch `git apply` takes. Paths in diff
    /// headers are quoted by `diff::unified` either way.
    pub fn diff_line(&mut self, text: &str) -> Result<()> {
        if self.stdout_tty {
            return self.line(text);
        }
        self.out.get_mut().write_all(text.as_bytes())?;
        self.out.get_mut().write_all(b"\n")?;
        Ok(())
    }

    /// Write bytes to stdout (through the escaping guard; they are UTF-8 JSON
    /// or text, anything else is decoded lossily).
    pub fn raw(&mut self, bytes: &[u8]) -> Result<()> {
        let text = String::from_utf8_lossy(bytes);
        let safe = self.guard(&text);
        self.out.get_mut().write_all(safe.as_bytes())?;
        Ok(())
    }

    /// Write one JSON value as a line.
    pub fn json_line<T: serde::Serialize>(&mut self, value: &T) -> Result<()> {
        let text = serde_json::to_string(value).map_err(std::io::Error::from)?;
        self.out
            .get_mut()
            .write_all(escape::json(&text).as_bytes())?;
        self.out.get_mut().write_all(b"\n")?;
        Ok(())
    }

    /// Write one JSON value, pretty-printed.
    pub fn json_pretty<T: serde::Serialize>(&mut self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(std::io::Error::from)?;
        self.out
            .get_mut()
            .write_all(escape::json(&text).as_bytes())?;
        self.out.get_mut().write_all(b"\n")?;
        Ok(())
    }

    /// Flush stdout.
    pub fn flush(&mut self) -> Result<()> {
        self.out.get_mut().flush()?;
        Ok(())
    }

    /// A message on stderr (suppressed by `--quiet`).
    pub fn note(&self, text: &str) {
        if !self.quiet {
            self.eprint(&format!("{text}\n"));
        }
    }

    /// A warning on stderr (always shown).
    pub fn warn(&self, text: &str) {
        self.eprint(&format!(
            "{} {}\n",
            self.paint_err(Style::Warn, "warning:"),
            escape::text(text)
        ));
    }

    /// Write `text` to stderr as is but for the escaping guard (keeping only
    /// our colour sequences when stderr is coloured).
    pub fn eprint(&self, text: &str) {
        if let Ok(mut out) = self.out.try_borrow_mut() {
            let _ = out.flush();
        }
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(escape::terminal(text, self.color_err).as_bytes());
        let _ = err.flush();
    }

    /// Route stdout through the user's pager (as git does), when it is a terminal.
    pub fn start_pager(&mut self, repo: Option<&gix::Repository>) {
        if !self.stdout_tty || self.json {
            return;
        }
        if let Some(pager) = pager::pager_command(repo) {
            if let Some(child_stdin) = pager::spawn_pager(&pager) {
                self.out = std::cell::RefCell::new(Box::new(child_stdin));
            }
        }
    }

    /// Terminal width for tables (80 when unknown).
    pub fn width(&self) -> usize {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .filter(|&w| w >= 40)
            .unwrap_or_else(|| {
                if self.stdout_tty {
                    terminal_width().unwrap_or(100)
                } else {
                    100
                }
            })
    }
}

fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(w, _)| w.0 as usize)
        .filter(|w| *w > 0)
}

/// Pad or cut `text` to exactly `width` display columns (counting chars).
pub fn fit(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        let mut s = text.to_string();
        s.extend(std::iter::repeat_n(' ', width - n));
        s
    } else if width == 0 {
        String::new()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}
