//! `reopen-app --bench-startup[=SECS]`: measures what the user waits for and what the app holds.
//!
//! The UI calls `ui_ready` once the first screen (login or first run) has been painted and
//! accepts input (two animation frames after it mounted). In bench mode the shell then prints
//! the time from the process's start (as the kernel recorded it, so dynamic linking and GTK/WebKit
//! start-up count) to that moment, waits SECS seconds idle (default 5), prints the proportional
//! set size (PSS) of the app and all its descendants — WebKit's web and network processes — from
//! `/proc/PID/smaps_rollup`, and exits. One line of JSON on stdout; `scripts/bench-app.sh`
//! repeats it. Outside bench mode `ui_ready` does nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;

/// Set by `--bench-startup`.
#[derive(Debug, Clone, Copy)]
pub struct StartupBench {
    pub idle: Duration,
}

impl StartupBench {
    /// `--bench-startup` or `--bench-startup=SECS`.
    pub fn parse(arg: &str) -> Option<Result<Self, String>> {
        let rest = arg.strip_prefix("--bench-startup")?;
        let idle = match rest.strip_prefix('=') {
            None if rest.is_empty() => 5.0,
            Some(s) => match s.parse::<f64>() {
                Ok(v) if (0.0..=600.0).contains(&v) => v,
                _ => {
                    return Some(Err(format!(
                        "--bench-startup=SECS needs 0..600 seconds, not {s}"
                    )))
                }
            },
            None => return None,
        };
        Some(Ok(Self {
            idle: Duration::from_secs_f64(idle),
        }))
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    /// Process start to the first screen painted and interactive.
    pub ready_ms: f64,
    pub idle_s: f64,
    /// PSS of the app and its descendants after `idle_s`, in KiB.
    pub pss_kib: u64,
    pub processes: Vec<ProcessPss>,
}

#[derive(Debug, Serialize)]
pub struct ProcessPss {
    pub pid: u32,
    pub name: String,
    pub pss_kib: u64,
}

static REPORTED: AtomicBool = AtomicBool::new(false);

/// Seconds since this process started, from /proc/self/stat (field 22, in clock ticks of
/// USER_HZ = 100 on Linux) and /proc/uptime.
pub fn seconds_since_process_start() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let start_ticks: f64 = stat_fields(&stat)?.get(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(uptime - start_ticks / 100.0)
}

/// The fields after the command name of a /proc/PID/stat line (the name may contain spaces and
/// parentheses, so split after the last ')'): index 0 is the state, 1 the parent's pid, 19 the
/// start time.
fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    let after = &stat[stat.rfind(')')? + 1..];
    Some(after.split_whitespace().collect())
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat_fields(&stat)?.get(1)?.parse().ok()
}

/// `root` and every process below it.
pub fn process_tree(root: u32) -> Vec<u32> {
    let all: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
                .filter_map(|pid| Some((pid, parent_of(pid)?)))
                .collect()
        })
        .unwrap_or_default();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(all.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    tree
}

/// The "Pss:" line of /proc/PID/smaps_rollup, in KiB.
pub fn pss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    parse_pss(&text)
}

fn parse_pss(smaps_rollup: &str) -> Option<u64> {
    smaps_rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()
}

fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Called by the `ui_ready` command: the first call in bench mode measures, reports and exits.
pub fn ui_ready<R: tauri::Runtime>(app: &tauri::AppHandle<R>, bench: Option<StartupBench>) {
    let Some(bench) = bench else { return };
    if REPORTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let ready_ms = seconds_since_process_start().unwrap_or(f64::NAN) * 1000.0;
    let app = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(bench.idle);
        let processes: Vec<ProcessPss> = process_tree(std::process::id())
            .into_iter()
            .filter_map(|pid| {
                Some(ProcessPss {
                    pid,
                    name: process_name(pid),
                    pss_kib: pss_kib(pid)?,
                })
            })
            .collect();
        let report = Report {
            ready_ms: (ready_ms * 10.0).round() / 10.0,
            idle_s: bench.idle.as_secs_f64(),
            pss_kib: processes.iter().map(|p| p.pss_kib).sum(),
            processes,
        };
        println!(
            "{}",
            serde_json::to_string(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
        );
        app.exit(0);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_flag() {
        assert!(StartupBench::parse("--demo").is_none());
        assert!(StartupBench::parse("--bench-startupx").is_none());
        assert_eq!(
            StartupBench::parse("--bench-startup")
                .unwrap()
                .unwrap()
                .idle,
            Duration::from_secs(5)
        );
        assert_eq!(
            StartupBench::parse("--bench-startup=0.5")
                .unwrap()
                .unwrap()
                .idle,
            Duration::from_millis(500)
        );
        assert!(StartupBench::parse("--bench-startup=-1").unwrap().is_err());
        assert!(StartupBench::parse("--bench-startup=abc").unwrap().is_err());
    }

    #[test]
    fn reads_pss_and_stat_fields() {
        let rollup = "00400000-7ffd r--p 00000000 00:00 0 [rollup]\nRss:  120 kB\nPss:   98765 kB\nPss_Anon: 1 kB\n";
        assert_eq!(parse_pss(rollup), Some(98765));
        assert_eq!(parse_pss("Rss: 1 kB\n"), None);
        let stat = "42 (Web Content (x)) S 7 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 12345 0";
        let f = stat_fields(stat).unwrap();
        assert_eq!((f[0], f[1], f[19]), ("S", "7", "12345"));
    }

    #[test]
    fn measures_this_process() {
        let me = std::process::id();
        assert!(pss_kib(me).unwrap() > 0);
        assert!(process_tree(me).contains(&me));
        let s = seconds_since_process_start().unwrap();
        assert!((0.0..3600.0).contains(&s), "{s}");
    }
}
