#!/usr/bin/python3
"""The memory floor of WebKitGTK itself, to compare with scripts/bench-app.sh.

A bare WebKitGTK view showing one line of Chinese, with the settings the app applies
(src-tauri/src/main.rs), in a GTK window of the app's size; after 8 s idle it prints the
PSS of this process and its WebKit processes (from /proc/PID/smaps_rollup) and exits.
Needs Debian's python3-gi and gir1.2-webkit2-4.1, and a display (Xvfb):

    xvfb-run -a -s "-screen 0 1280x800x24" /usr/bin/python3 scripts/webkit-floor.py

(Debian's own Python: python3-gi is installed for it, not for a pyenv or venv Python.)

Measured here (2026-11-30, WebKitGTK 2.50): 182 MiB, of which web 93 and network 28; the
app itself measures 199 MiB at its login (docs/benchmarks.md, issue 4).
"""
import os
import sys

for name, value in [
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    ("GDK_GL", "disable"),
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
    ("JSC_thresholdForJITAfterWarmUp", "5000"),
    ("JSC_thresholdForJITSoon", "1000"),
    ("JSC_thresholdForOptimizeAfterWarmUp", "10000"),
    ("JSC_thresholdForOptimizeAfterLongWarmUp", "10000"),
    ("JSC_thresholdForOptimizeSoon", "10000"),
]:
    os.environ.setdefault(name, value)

import gi  # noqa: E402

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402


def pss_kib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def measure():
    me = os.getpid()
    parts = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if int(p) == me or ppid == me:
                with open(f"/proc/{p}/comm") as f:
                    parts.append((f.read().strip(), pss_kib(p) / 1024))
        except (OSError, ValueError, IndexError):
            continue
    total = sum(m for _, m in parts)
    print(f"idle PSS {total:.1f} MiB: " + ", ".join(f"{n} {m:.1f} MiB" for n, m in parts))
    Gtk.main_quit()
    return False


window = Gtk.Window()
window.set_default_size(1280, 820)
view = WebKit2.WebView()
window.add(view)
view.load_html(sys.argv[1] if len(sys.argv) > 1 else "<html><body>复工复产审批</body></html>", "about:blank")
window.show_all()
GLib.timeout_add_seconds(8, measure)
Gtk.main()
