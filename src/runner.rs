//! Running the configured test command: `sh -c <command>` in an isolated
//! checkout, with a timeout. Output goes through a pipe into a bounded ring
//! buffer, so a command that prints gigabytes cannot exhaust memory.
//!
//! Containment: the command runs under a supervisor, this same program
//! started as `git-upgrades util reap -- sh -c <command>` ([`supervise`]).
//! The supervisor makes itself a child subreaper (`PR_SET_CHILD_SUBREAPER`),
//! so every process the test starts stays its descendant even after it
//! leaves the process group or session (`setsid`) or loses its parent (a
//! double fork): orphans are re-parented to the supervisor, not to init.
//! When the shell ends, times out, or the tool itself dies (the supervisor's
//! stdin, a pipe from the tool, reaches end of file, even after `kill -9`),
//! the supervisor kills the shell's process group and then every child it
//! has, again and again, until it has no child left; only then does it report
//! how the shell ended, and only then is the run finished. Processes started
//! through a service (`systemd-run`, `at`, a daemon asked over a socket) are
//! not descendants and are not contained.
//!
//! A subreaper process of its own, rather than the attribute on the tool's
//! process: adopted orphans are then known to be the test's (the tool may
//! have other children), and the containment survives the tool's death.
//! Without the supervisor program (the library used from another program, or
//! the binary gone), the shell runs directly in its own process group, which
//! is killed at the end: processes that leave the group are not contained.

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
    /// This program, started as the supervisor (`util reap -- sh -c <command>`,
    /// see [`supervise`]) that contains every process of the test and ends
    /// them when the run ends, even if we die (even by `kill -9`).
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

/// What runs the command.
enum Started {
    /// The supervisor; its stdin is the pipe whose end tells it to stop.
    Supervised(std::process::Child),
    /// `sh` directly, in its own process group (no supervisor available).
    Direct(std::process::Child),
}

fn spawn_supervised(
    bin: &Path,
    command: &str,
    opts: &RunOptions<'_>,
    output: &std::io::PipeWriter,
) -> std::io::Result<std::process::Child> {
    let mut cmd = Command::new(bin);
    cmd.args(["util", "reap", "--", "sh", "-c", command])
        .current_dir(opts.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(output.try_clone()?)
        // Not in the tool's process group: a terminal's ^C or a group kill
        // aimed at the tool reaches the supervisor through its stdin instead,
        // and it ends the tests before it exits.
        .process_group(0);
    environment(&mut cmd, opts);
    cmd.spawn()
}

fn spawn_direct(
    command: &str,
    opts: &RunOptions<'_>,
    output: &std::io::PipeWriter,
) -> std::io::Result<std::process::Child> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(opts.dir)
        .stdin(Stdio::null())
        .stdout(output.try_clone()?)
        .stderr(output.try_clone()?)
        // Its own process group, so the whole tree can be killed at once.
        .process_group(0);
    environment(&mut cmd, opts);
    cmd.spawn()
}

fn environment(cmd: &mut Command, opts: &RunOptions<'_>) {
    for var in GIT_ENV {
        cmd.env_remove(var);
    }
    for (k, v) in &opts.env {
        cmd.env(k, v);
    }
}

fn ending_of(status: std::process::ExitStatus) -> Ending {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(sig)) => Ending::Signalled(sig),
        (None, None) => Ending::Exited(1),
    }
}

/// How the supervised command ended, from the supervisor's report.
fn supervised_ending(report: &str, status: std::process::ExitStatus) -> Ending {
    let last = report.lines().last().unwrap_or("");
    let number = |s: &str| s.trim().parse::<i32>().ok();
    if let Some(code) = last.strip_prefix("exit ").and_then(number) {
        Ending::Exited(code)
    } else if let Some(sig) = last.strip_prefix("signal ").and_then(number) {
        Ending::Signalled(sig)
    } else if let Some(why) = last.strip_prefix("error ") {
        Ending::CouldNotStart(why.to_string())
    } else {
        // Killed before it could finish (only a signal sent to it from
        // outside does that): end what is left of the group it started, and
        // never count the run as passed.
        if let Some(pid) = last.strip_prefix("started ").and_then(number) {
            kill_group(pid);
        }
        Ending::CouldNotStart(format!("the test supervisor ended unexpectedly ({status})"))
    }
}

/// Run `command` with `sh -c`; `tick` is called about ten times a second.
/// Returns once the command and every process it started have ended.
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
    let supervised = opts
        .reaper
        .as_deref()
        .and_then(|bin| spawn_supervised(bin, command, &opts, &writer).ok());
    let mut started = match supervised {
        Some(child) => Started::Supervised(child),
        None => match spawn_direct(command, &opts, &writer) {
            Ok(child) => Started::Direct(child),
            Err(e) => return fail(format!("cannot start `sh`: {e}")),
        },
    };
    // Drop our copy of the pipe's write end, so the reader sees end-of-file
    // once the test processes are gone.
    drop(writer);

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
    let mut timed_out = false;
    let ending = loop {
        let mut fresh = Vec::new();
        while let Ok(chunk) = chunks_rx.try_recv() {
            fresh.extend_from_slice(&chunk);
        }
        let child = match &mut started {
            Started::Supervised(c) | Started::Direct(c) => c,
        };
        match child.try_wait() {
            Ok(Some(status)) => break finish(&mut started, status),
            Ok(None) => {}
            Err(e) => {
                break Ending::CouldNotStart(format!("cannot wait for the test command: {e}"))
            }
        }
        if Instant::now() >= timeout_at {
            timed_out = true;
            break stop(&mut started);
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
    let ending = if timed_out { Ending::TimedOut } else { ending };
    if let Started::Direct(c) = &started {
        // Children that outlive the shell are part of the run: end them too.
        kill_group(c.id() as i32);
    }
    // Give the reader a moment to drain; without the supervisor a process
    // that escaped the group could hold the pipe open forever, so never wait
    // unboundedly.
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

/// The command's ending once the process we started has exited.
fn finish(started: &mut Started, status: std::process::ExitStatus) -> Ending {
    match started {
        Started::Direct(_) => ending_of(status),
        Started::Supervised(c) => {
            let mut report = String::new();
            if let Some(mut out) = c.stdout.take() {
                let _ = out.read_to_string(&mut report);
            }
            supervised_ending(&report, status)
        }
    }
}

/// End the run before the command ended (timeout): everything is killed, and
/// this returns only once the supervisor has seen every process end.
fn stop(started: &mut Started) -> Ending {
    match started {
        Started::Direct(c) => {
            kill_group(c.id() as i32);
            match c.wait() {
                Ok(status) => ending_of(status),
                Err(e) => Ending::CouldNotStart(format!("cannot wait for the test command: {e}")),
            }
        }
        Started::Supervised(c) => {
            // End of file on its stdin: the supervisor kills everything.
            drop(c.stdin.take());
            match c.wait() {
                Ok(status) => finish(started, status),
                Err(e) => Ending::CouldNotStart(format!("cannot wait for the test command: {e}")),
            }
        }
    }
}

/// Kill a process group.
fn kill_group(pgid: i32) {
    if pgid > 0 {
        // SAFETY: kill(2) with a negative pid signals a process group we created.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// The supervisor (`git-upgrades util reap -- <program> <args>...`): run the
/// program in a new process group as a child subreaper, and return only when
/// it and every process it started have ended. Its stdin is a pipe from the
/// tool: end of file (the tool finished, timed out or died) kills the
/// program's group at once. The program's stdout and stderr are our stderr;
/// our stdout gets the report: `started <pid>` once the program runs, then
/// as the last line `exit <code>`, `signal <number>` or `error <why>`.
pub fn supervise(argv: &[String]) {
    use std::io::Write;
    let report = |line: String| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };
    let Some((program, args)) = argv.split_first() else {
        return report("error nothing to run".into());
    };
    // SAFETY: prctl with integer arguments; it only sets an attribute of
    // this process. Orphaned descendants become our children from now on.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        let e = std::io::Error::last_os_error();
        return report(format!("error cannot contain the test processes: {e}"));
    }
    let output = std::os::fd::AsFd::as_fd(&std::io::stderr()).try_clone_to_owned();
    let spawned = output.and_then(|out| {
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
    });
    let pid = match spawned {
        Ok(child) => child.id() as i32,
        Err(e) => return report(format!("error cannot start `{program}`: {e}")),
    };
    report(format!("started {pid}"));
    // True while the program is not yet reaped, so its pid (and group id)
    // cannot have been reused by another process.
    let pending = Arc::new(Mutex::new(true));
    let watch = Arc::clone(&pending);
    std::thread::spawn(move || {
        let mut sink = [0u8; 512];
        let mut stdin = std::io::stdin();
        while !matches!(stdin.read(&mut sink), Ok(0) | Err(_)) {}
        if let Ok(pending) = watch.lock() {
            if *pending {
                kill_group(pid);
            }
        }
    });
    let status = loop {
        // SAFETY: a zeroed siginfo_t is valid; waitid fills it. WNOWAIT
        // leaves the child waitable, so it is reaped below, under the lock.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::waitid(libc::P_ALL, 0, &mut info, libc::WEXITED | libc::WNOWAIT) };
        if rc != 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break None;
        }
        // SAFETY: waitid succeeded, so si_pid is set.
        let who = unsafe { info.si_pid() };
        let mut st = 0;
        if who == pid {
            let mut pending = pending.lock().unwrap_or_else(|p| p.into_inner());
            // The program is a zombie: its group id is still its own. Kill the
            // rest of the group before reaping it.
            kill_group(pid);
            // SAFETY: reaping our own child.
            unsafe { libc::waitpid(pid, &mut st, 0) };
            *pending = false;
            break Some(st);
        }
        // An adopted orphan that ended: reap it.
        // SAFETY: reaping our own child.
        unsafe { libc::waitpid(who, &mut st, 0) };
    };
    end_descendants();
    report(match status {
        Some(st) if libc::WIFEXITED(st) => format!("exit {}", libc::WEXITSTATUS(st)),
        Some(st) if libc::WIFSIGNALED(st) => format!("signal {}", libc::WTERMSIG(st)),
        _ => "error cannot wait for the test command".into(),
    });
}

/// Kill every child of this process and reap it, until there is none left.
/// A killed child's own children are re-parented to us (we are a subreaper)
/// and found in the next round. Only this thread reaps, so a pid read from
/// `/proc` as our child cannot be reused before we kill it.
fn end_descendants() {
    // SAFETY: getpid cannot fail.
    let me = unsafe { libc::getpid() };
    loop {
        for child in children_of(me) {
            // SAFETY: our own, unreaped child.
            unsafe { libc::kill(child, libc::SIGKILL) };
        }
        let mut st = 0;
        // SAFETY: waiting for any child of ours.
        if unsafe { libc::waitpid(-1, &mut st, 0) } < 0
            && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
        {
            // ECHILD: none left.
            break;
        }
    }
}

/// The processes whose parent is `parent`, from `/proc/<pid>/stat`.
fn children_of(parent: i32) -> Vec<i32> {
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
        let ppid = stat
            .rfind(')')
            .and_then(|end| stat[end + 1..].split_whitespace().nth(1))
            .and_then(|p| p.parse::<i32>().ok());
        if ppid == Some(parent) {
            found.push(pid);
        }
    }
    found
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

    #[test]
    fn supervisor_reports_are_read() {
        use std::os::unix::process::ExitStatusExt;
        let ok = std::process::ExitStatus::from_raw(0);
        assert_eq!(
            supervised_ending("started 12\nexit 3\n", ok),
            Ending::Exited(3)
        );
        assert_eq!(
            supervised_ending("started 12\nsignal 9\n", ok),
            Ending::Signalled(9)
        );
        assert_eq!(
            supervised_ending("error cannot start `sh`: gone\n", ok),
            Ending::CouldNotStart("cannot start `sh`: gone".into())
        );
        let killed = std::process::ExitStatus::from_raw(9);
        assert!(matches!(
            supervised_ending("", killed),
            Ending::CouldNotStart(why) if why.contains("ended unexpectedly")
        ));
    }

    #[test]
    fn children_are_found_in_proc() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let me = std::process::id() as i32;
        assert!(children_of(me).contains(&(child.id() as i32)));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!children_of(me).contains(&(child.id() as i32)));
    }
}
