// The desktop app's entry point: no console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // WebKitGTK's accelerated compositing roughly doubles the web process's memory (measured with
    // --bench-startup: about 215 MB against 128 MB PSS) and shows a blank window on some GPU and
    // virtual-machine setups; a forms application does not need it. A value the user set wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // Before any thread is started: nothing else reads the environment concurrently.
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    if let Err(e) = reopen_app::run() {
        eprintln!("复工复产审批 failed to start: {e}");
        std::process::exit(1);
    }
}
