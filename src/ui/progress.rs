//! Progress while tests run (an indicatif spinner on stderr with the elapsed
//! time and the last output line), and over a queue (`apply --all`).

use std::io::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ops::{Progress, Reporter};
use crate::time::short_duration_ms;

/// Shows a spinner when stderr is a terminal; streams output with `--verbose`.
pub struct Spinner {
    bar: Option<ProgressBar>,
    verbose: bool,
    label: String,
}

impl Spinner {
    /// A reporter for the given terminal situation.
    pub fn new(enabled: bool, verbose: bool) -> Spinner {
        let bar = (enabled && !verbose).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        });
        Spinner {
            bar,
            verbose,
            label: String::new(),
        }
    }
}

impl Reporter for Spinner {
    fn report(&mut self, progress: Progress<'_>) {
        match progress {
            Progress::TestsStarted { id, command } => {
                self.label = format!("testing {id}");
                if self.verbose {
                    eprintln!("running tests for {id}: {}", super::escape::text(command));
                }
                if let Some(bar) = &self.bar {
                    bar.reset_elapsed();
                    bar.set_message(self.label.clone());
                    bar.enable_steady_tick(Duration::from_millis(100));
                }
            }
            Progress::TestsRunning(tick) => {
                if self.verbose && !tick.output.is_empty() {
                    let mut err = std::io::stderr().lock();
                    let _ = err.write_all(tick.output);
                    let _ = err.flush();
                }
                if let Some(bar) = &self.bar {
                    let ms = tick.elapsed.as_millis() as u64;
                    let width = 60usize;
                    let last = super::escape::text_max(tick.last_line, width);
                    bar.set_message(format!(
                        "{}  {}  {}",
                        self.label,
                        short_duration_ms(ms),
                        last
                    ));
                }
            }
            Progress::TestsFinished(_) => {
                if let Some(bar) = &self.bar {
                    bar.finish_and_clear();
                }
            }
        }
    }

    fn wants_output(&self) -> bool {
        self.verbose
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A progress bar over a queue of upgrades (`apply --all`, `maintain`).
pub struct QueueBar {
    bar: Option<ProgressBar>,
}

impl QueueBar {
    /// Draws only when `enabled` (stderr is a terminal and not `--quiet`).
    pub fn new(enabled: bool) -> QueueBar {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        QueueBar { bar }
    }

    /// Position `n` of `total`, working on `id`.
    pub fn set(&self, n: usize, total: usize, id: &str) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(n as u64);
            bar.set_message(id.to_string());
        }
    }
}

impl Drop for QueueBar {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
