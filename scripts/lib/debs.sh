# Sourced by scripts/run.sh and scripts/test.sh: installs the Debian/Ubuntu packages named as
# arguments when some are missing (with sudo unless root). Elsewhere it does nothing, and the build
# or the tests say what is missing.
ensure_debs() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing system packages: ${missing[*]}"
  local sudo_=""
  [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What the desktop app builds against (Tauri 2 on Linux: WebKitGTK 4.1 and friends) and a CJK font
# (without one, Chinese renders blank).
APP_DEBS=(build-essential pkg-config libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
          libayatana-appindicator3-dev librsvg2-dev fonts-noto-cjk)
# What the tests use besides: the sqlite3 shell (audit tamper test), qpdf and poppler-utils (PDF
# checks), zbar-tools (read the certificate's QR code back), and for the end-to-end tests an X
# server (xvfb, xauth), WebKitGTK's WebDriver (webkit2gtk-driver) and xdotool (answers the native
# file dialog, which WebDriver cannot reach).
TEST_DEBS=(sqlite3 qpdf poppler-utils zbar-tools xvfb xauth webkit2gtk-driver xdotool)
