//! Running the configured test command: `sh -c <command>` in an isolated
//! checkout, in its own process group, with a timeout. Output goes through a
//! pipe into a bounded ring buffer, so a command that prints gigabytes cannot
//! exhaust memory. When the command ends (or times out) the whole process
//! group is killed, so background children do not outlive the run.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How much of the output's end is kept.
const TAIL_BYTES: usize = 64 * 1024;
/// How much of the output's end goes into the record.
pub const RECORDED_TAIL_BYTES: usize = 8 * 1024;

/// Environment variables that would make git commands inside the tests act on
/// the user's repository instead of the checkout.
const GIT_ENV: [&str; 9] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
];

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Exited with this code (0 is success).
    Exited(i32),
    /// Killed by a signal.
    Signalled(i32),
    /// Ran past the timeout and was killed.
    TimedOut,
    /// Could not be started.
    CouldNotStart(String),
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Run {
    /// How it ended.
    pub ending: Ending,
    /// Wall time.
    pub duration: Duration,
    /// The end of the combined stdout and stderr, lossily UTF-8.
    pub output_tail: String,
}

impl Run {
    /// True only for exit code 0.
    pub fn passed(&self) -> bool {
        self.ending == Ending::Exited(0)
    }
}

/// What the caller sees while the command runs (for a spinner).
pub struct Tick<'a> {
    /// Time since start.
    pub elapsed: Duration,
    /// The last complete line of output, if any.
    pub last_line: &'a str,
    /// Output that arrived since the previous tick (only with [`RunOptions::stream`]).
    pub output: &'a [u8],
}

/// Options for one run.
pub struct RunOptions<'a> {
    /// Working directory: the isolated checkout.
    pub dir: &'a Path,
    /// Kill after this long.
    pub timeout: Duration,
    /// Extra environment for the command.
    pub env: Vec<(String, String)>,
    /// Pass every output chunk to the ticks (for `--verbose`).
    pub stream: bool,
    /// This program, to start as a reaper (`util reap <pgid>`) that kills the
    /// test's process group if we die before the run ends (even by `kill -9`).
    pub reaper: Option<std::path::PathBuf>,
}

#[derive(Default)]
struct Tail {
    bytes: std::collections::VecDeque<u8>,
    last_line: String,
}

impl Tail {
    fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend(chunk);
        let excess = self.bytes.len().saturating_sub(TAIL_BYTES);
        self.bytes.drain(..excess);
        let skip = self.bytes.len().saturating_sub(4096);
        let text: Vec<u8> = self.bytes.iter().skip(skip).copied().collect();
        if let Some(line) = String::from_utf8_lossy(&text)
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
        {
            self.last_line = line.chars().filter(|c| !c.is_control()).take(200).collect();
        }
    }
}

/// Run `command` with `sh -c`; `tick` is called about ten times a second.
pub fn run(command: &str, opts: RunOptions<'_>, tick: &mut dyn FnMut(Tick<'_>)) -> Run {
    let start = Instant::now();
    let fail = |why: String| Run {
        ending: Ending::CouldNotStart(why),
        duration: start.elapsed(),
        output_tail: String::new(),
    };
    let (reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return fail(format!("cannot create a pipe: {e}")),
    };
    let writer2 = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => return fail(format!("cannot create a pipe: {e}")),
    };
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(opts.dir)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer2)
        // Its own process group, so the whole tree can be killed at once.
        .process_group(0);
    for var in GIT_ENV {
        cmd.env_remove(var);
    }
    for (k, v) in &opts.env {
        cmd.env(k, v);
    }
    let spawned = cmd.spawn();
    // The Command holds our copies of the pipe's write end; drop them so the
    // reader sees end-of-file once the test processes are gone.
    drop(cmd);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return fail(format!("cannot start `sh`: {e}")),
    };
    let pgid = child.id() as i32;
    // The reaper waits for its stdin (our pipe) to close: when we finish or die.
    let mut reaper = opts.reaper.as_ref().and_then(|bin| {
        Command::new(bin)
            .args(["util", "reap", &pgid.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .ok()
    });

    let tail = Arc::new(Mutex::new(Tail::default()));
    let (chunks_tx, chunks_rx) = mpsc::channel::<Vec<u8>>();
    let reader_tail = Arc::clone(&tail);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let echo_wanted = opts.stream;
    std::thread::spawn(move || {
        let mut reader = reader;
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Ok(mut t) = reader_tail.lock() {
                        t.push(&buf[..n]);
                    }
                    if echo_wanted {
                        let _ = chunks_tx.send(buf[..n].to_vec());
                    }
                }
            }
        }
        let _ = done_tx.send(());
    });

    let timeout_at = start + opts.timeout;
    let mut poll = Duration::from_millis(1);
    let ending = loop {
        let mut fresh = Vec::new();
        while let Ok(chunk) = chunks_rx.try_recv() {
            fresh.extend_from_slice(&chunk);
        }
        match child.try_wait() {
            Ok(Some(status)) => {
                use std::os::unix::process::ExitStatusExt;
                break match (status.code(), status.signal()) {
                    (Some(code), _) => Ending::Exited(code),
                    (None, Some(sig)) => Ending::Signalled(sig),
                    (None, None) => Ending::Exited(1),
                };
            }
            Ok(None) => {}
            Err(e) => {
                break Ending::CouldNotStart(format!("cannot wait for the test command: {e}"))
            }
        }
        if Instant::now() >= timeout_at {
            kill_group(pgid);
            let _ = child.wait();
            break Ending::TimedOut;
        }
        {
            let last = tail.lock().map(|t| t.last_line.clone()).unwrap_or_default();
            tick(Tick {
                elapsed: start.elapsed(),
                last_line: &last,
                output: &fresh,
            });
        }
        // Short commands should not pay for a long poll: start at 1ms, grow to 50ms.
        std::thread::sleep(poll);
        poll = (poll * 2).min(Duration::from_millis(50));
    };
    // Children that outlive the shell are part of the run: end them too.
    kill_group(pgid);
    if let Some(mut r) = reaper.take() {
        drop(r.stdin.take());
        let _ = r.wait();
    }
    // Give the reader a moment to drain; a process that escaped the group
    // could hold the pipe open forever, so never wait unboundedly.
    let _ = done_rx.recv_timeout(Duration::from_secs(2));
    let mut fresh = Vec::new();
    while let Ok(chunk) = chunks_rx.try_recv() {
        fresh.extend_from_slice(&chunk);
    }
    if !fresh.is_empty() {
        let last = tail.lock().map(|t| t.last_line.clone()).unwrap_or_default();
        tick(Tick {
            elapsed: start.elapsed(),
            last_line: &last,
            output: &fresh,
        });
    }
    let output_tail = tail
        .lock()
        .map(|t| {
            let (a, b) = t.bytes.as_slices();
            let all: Vec<u8> = a.iter().chain(b).copied().collect();
            let keep = all.len().saturating_sub(RECORDED_TAIL_BYTES);
            String::from_utf8_lossy(&all[keep..]).into_owned()
        })
        .unwrap_or_default();
    Run {
        ending,
        duration: start.elapsed(),
        output_tail,
    }
}

/// Kill a process group (used by the reaper and at the end of a run).
pub fn kill_group(pgid: i32) {
    if pgid > 0 {
        // SAFETY: kill(2) with a negative pid signals a process group we created.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_sh(cmd: &str, timeout_ms: u64) -> Run {
        let dir = tempfile::tempdir().unwrap();
        run(
            cmd,
            RunOptions {
                dir: dir.path(),
                timeout: Duration::from_millis(timeout_ms),
                env: vec![],
                stream: false,
                reaper: None,
            },
            &mut |_| {},
        )
    }

    #[test]
    fn exit_codes_and_output() {
        let r = run_sh("echo hello; echo oops >&2; exit 3", 10_000);
        assert_eq!(r.ending, Ending::Exited(3));
        assert!(r.output_tail.contains("hello") && r.output_tail.contains("oops"));
        assert!(run_sh("true", 10_000).passed());
    }

    #[test]
    fn timeouts_kill_the_whole_group() {
        let r = run_sh("sleep 30 & sleep 30", 300);
        assert_eq!(r.ending, Ending::TimedOut);
        assert!(r.duration < Duration::from_secs(10));
    }

    #[test]
    fn background_children_do_not_hold_the_run() {
        let r = run_sh("(sleep 30 &) ; echo done", 10_000);
        assert!(r.passed());
        assert!(r.duration < Duration::from_secs(10));
    }

    #[test]
    fn huge_output_is_bounded() {
        let r = run_sh("yes 0123456789 | head -c 20000000", 60_000);
        assert!(r.passed());
        assert!(r.output_tail.len() <= RECORDED_TAIL_BYTES);
    }
}
