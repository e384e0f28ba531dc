// The desktop app's entry point: no console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    webkit_defaults();
    if let Err(e) = reopen_app::run() {
        eprintln!("复工复产审批 failed to start: {e}");
        std::process::exit(1);
    }
}

/// WebKitGTK settings by environment, each only where the user has not set the variable.
///
/// WebKitGTK's accelerated compositing roughly doubles the web process's memory (measured with
/// --bench-startup: about 215 MB against 128 MB PSS) and shows a blank window on some GPU and
/// virtual-machine setups; a forms application does not need it.
///
/// Without compositing, nothing in the app (UI) process draws with OpenGL, yet three things still
/// load the GL driver there — on Debian Mesa's swrast/llvmpipe and with it libLLVM, about 17 MB
/// PSS of the app process — only to learn what compositing would use (PSS from
/// scripts/bench-app.sh under Xvfb):
/// - GDK's X11 backend probes GLX to pick visuals when it opens the display (GDK_GL=disable:
///   -2 MB);
/// - WebKit's DMA-BUF renderer, which serves only the compositing mode, is prepared
///   (WEBKIT_DISABLE_DMABUF_RENDERER=1: -4.7 MB);
/// - WebKit opens an EGL display to find the GPU's DRM render node for the web process, unless
///   WEBKIT_WEB_RENDER_DEVICE_FILE names one. /dev/null is no DRM device: the web process falls
///   back to its own EGL display as it does on machines without a GPU node, and the app process
///   loads no GL driver at all (with the other two: 65 → 48 MB, total 172 → 156 MB).
///
/// The web process still needs its EGL display (it aborts without one). If the user turns
/// compositing back on (WEBKIT_DISABLE_COMPOSITING_MODE=0), the other three are left alone, since
/// compositing uses them.
///
/// JavaScriptCore compiles a function to machine code once it has run about 500 times (baseline
/// JIT) and optimises it at about 1000 (DFG). The start-up code (Vue mounting the login, the
/// router, vue-i18n) crosses those counts once and never runs again, and compiling it costs the
/// web process about 5 MiB of compiler code and machine code (idle PSS 208 → 203 MiB, issue 4,
/// docs/benchmarks.md). Ten times the counts keep that code in the interpreter; code that stays
/// hot (a long table, a chart) still compiles. Turning the JIT off altogether saves 2.6 MiB more,
/// but every screen would then run interpreted.
#[cfg(target_os = "linux")]
fn webkit_defaults() {
    // Before any thread is started: nothing else reads the environment concurrently.
    let set_default = |name: &str, value: &str| {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    };
    set_default("JSC_thresholdForJITAfterWarmUp", "5000");
    set_default("JSC_thresholdForJITSoon", "1000");
    set_default("JSC_thresholdForOptimizeAfterWarmUp", "10000");
    set_default("JSC_thresholdForOptimizeAfterLongWarmUp", "10000");
    set_default("JSC_thresholdForOptimizeSoon", "10000");
    set_default("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some_and(|v| v != "0") {
        set_default("GDK_GL", "disable");
        set_default("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        set_default("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null");
    }
}
