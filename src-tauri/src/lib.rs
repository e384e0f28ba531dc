//! The desktop shell: thin Tauri commands over reopen-core. Each command takes the session's
//! actor and calls one use case, off the main thread; permissions are checked in the core.

pub mod commands;
pub mod error;
pub mod files;
pub mod startup;
pub mod state;

use std::path::PathBuf;

use reopen_core::Reopen;
use state::{AppState, Shared};

/// Where the app keeps its database: `--db PATH`, else REOPEN_DB, else the per-user data directory.
/// `--demo` uses a separate demo database, filled with sample data on first start (the generated
/// passwords are printed on the terminal once).
pub struct Options {
    pub db: PathBuf,
    pub demo: bool,
    pub bench: Option<startup::StartupBench>,
}

pub fn options_from_args() -> Result<Options, String> {
    let mut db = std::env::var("REOPEN_DB")
        .ok()
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    let mut demo = false;
    let mut bench = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if let Some(b) = startup::StartupBench::parse(&a) {
            bench = Some(b?);
            continue;
        }
        match a.as_str() {
            "--demo" => demo = true,
            "--db" => db = Some(args.next().map(PathBuf::from).ok_or("--db needs a path")?),
            other => {
                return Err(format!(
                    "unknown argument {other}; use [--db PATH] [--demo] [--bench-startup[=SECS]]"
                ))
            }
        }
    }
    let db = match (db, demo) {
        (Some(p), _) => p,
        (None, true) => state::default_db().with_file_name("demo.db"),
        (None, false) => state::default_db(),
    };
    Ok(Options { db, demo, bench })
}

/// Opens the database; with `--demo` on a new database, creates the administrator and the demo
/// data and prints the passwords once.
pub fn open_core(opts: &Options, now: chrono::DateTime<chrono::Utc>) -> Result<Reopen, String> {
    if opts.demo && !opts.db.exists() {
        // Made whole or not at all (under a temporary name), then opened as any database.
        let pw = reopen_core::domain::auth::generate_password();
        let (_, report) = reopen_core::service::demo::create_new(
            &opts.db,
            None,
            Some(("admin", &pw)),
            "small",
            now,
        )
        .map_err(|e| e.message.en.clone())?;
        print_demo_users(opts, &pw, report);
    }
    let mut core = open_db(&opts.db)?;
    if opts.demo && !core.is_initialised().map_err(|e| e.message.en.clone())? {
        let pw = reopen_core::domain::auth::generate_password();
        core.init(Some(("admin", &pw)), now)
            .map_err(|e| e.message.en.clone())?;
        let report = reopen_core::service::demo::generate(&mut core, "small", now)
            .map_err(|e| e.message.en.clone())?;
        print_demo_users(opts, &pw, report);
    }
    Ok(core)
}

/// Opens the embedded database at `db`, with the roster key when REOPEN_KEY_FILE names one.
pub fn open_db(db: &std::path::Path) -> Result<Reopen, String> {
    let mut core = Reopen::open(db).map_err(|e| e.message.en.clone())?;
    // The key that seals rosters lives outside the database file (see `reopen roster-key`).
    if let Some(path) = std::env::var_os("REOPEN_KEY_FILE").filter(|p| !p.is_empty()) {
        let key = reopen_core::keys::RosterKey::read(std::path::Path::new(&path))
            .map_err(|e| e.message.en.clone())?;
        core.set_roster_key(key).map_err(|e| e.message.en.clone())?;
    }
    Ok(core)
}

/// The demo's users and their passwords, printed once on the terminal.
fn print_demo_users(
    opts: &Options,
    admin_password: &str,
    report: reopen_core::service::demo::DemoReport,
) {
    println!("演示数据库 {}", opts.db.display());
    println!("  admin\tadmin\t{admin_password}\t系统管理员");
    for u in report.users {
        println!("  {}\t{}\t{}\t{}", u.name, u.role, u.password, u.note);
    }
}

/// The app's builder over any runtime (Wry for the real window, the mock runtime in tests).
pub fn builder<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    state: AppState,
) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(Shared::new(state))
        .invoke_handler(commands::handler())
}

/// The app's context (configuration, access-control list, assets) for any runtime: the real
/// window uses it, and so do the mock-runtime tests, so they go through the same capabilities.
pub fn context<R: tauri::Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

pub fn run() -> Result<(), String> {
    let opts = options_from_args()?;
    let fixed = state::clock_from_env()?;
    let settings = commands::connection::Settings::load(&opts.db);
    let state = match settings.server.filter(|_| !opts.demo) {
        // A city's server: its clock is the server's; nothing local is opened.
        Some(url) => {
            let backend =
                commands::connection::server_backend(&opts.db, &url, reopen_core::Lang::Zh)
                    .map_err(|e| e.message.en.clone())?;
            AppState::with_backend(backend, opts.db, fixed)
        }
        None => {
            let core = open_core(&opts, fixed.unwrap_or_else(chrono::Utc::now))?;
            // Training mode: the clock runs on from REOPEN_NOW, or from where an earlier run
            // left off.
            let training = fixed
                .map(|at| state::training_start(&core, at))
                .transpose()?;
            AppState::new(core, opts.db, training)
        }
    };
    builder(tauri::Builder::default(), state.with_bench(opts.bench))
        .run(context())
        .map_err(|e| e.to_string())
}
