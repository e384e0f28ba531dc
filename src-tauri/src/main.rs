// The desktop app's entry point: no console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = reopen_app::run() {
        eprintln!("复工复产审批 failed to start: {e}");
        std::process::exit(1);
    }
}
