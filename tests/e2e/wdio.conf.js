// End-to-end tests of the real Reopen window: WebdriverIO talks W3C WebDriver to tauri-driver,
// which starts WebKitGTK's WebKitWebDriver (Debian: webkit2gtk-driver) and, through it, our app
// binary with the UI embedded. Run under an X server (scripts/test.sh uses xvfb-run).
//
// Before the session, `reopen init --demo` (the CLI, same core) makes a fresh database in a temp
// directory; the app is started on it with REOPEN_NOW fixed, so dates are repeatable. The demo
// accounts' one-time passwords are handed to the specs through E2E_STATE (a JSON file).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, homedir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const app = process.env.REOPEN_APP || path.join(root, 'target/debug/reopen-app')
const cli = process.env.REOPEN_CLI || path.join(root, 'target/debug/reopen')
const driverBin = process.env.TAURI_DRIVER || path.join(homedir(), '.cargo/bin/tauri-driver')
const now = '2020-02-05T09:00:00+08:00'

const work = process.env.E2E_DIR || mkdtempSync(path.join(tmpdir(), 'reopen-e2e-'))
const db = path.join(work, 'reopen.db')
process.env.E2E_DIR = work
process.env.E2E_STATE = path.join(work, 'state.json')

let driver

/** Stops tauri-driver with SIGTERM so that it stops WebKitWebDriver too (SIGKILL orphans it). */
function stopDriver() {
  if (driver && driver.exitCode === null) driver.kill('SIGTERM')
  driver = undefined
}

export const config = {
  runner: 'local',
  hostname: '127.0.0.1',
  // E2E_PORT runs a second suite beside another on one machine (tauri-driver there, WebKit's
  // driver on the next port).
  port: Number(process.env.E2E_PORT || 4444),
  specs: ['./specs/**/*.e2e.js'],
  // Network mode has its own data and server (wdio.network.conf.js, npm run test:network).
  exclude: ['./specs/network.e2e.js'],
  maxInstances: 1,
  capabilities: [
    {
      maxInstances: 1,
      'wdio:enforceWebDriverClassic': true,
      'tauri:options': { application: app, args: ['--db', db] },
    },
  ],
  logLevel: 'warn',
  reporters: ['spec'],
  framework: 'mocha',
  // The journey's steps build on each other: stop at the first failure.
  mochaOpts: { ui: 'bdd', timeout: 180000, bail: true },
  waitforTimeout: 15000,
  connectionRetryTimeout: 60000,
  connectionRetryCount: 2,

  onPrepare() {
    const env = { ...process.env, REOPEN_DB: db, REOPEN_NOW: now, REOPEN_PASSWORD: 'Chief-2020x', LANG: 'zh_CN.UTF-8' }
    const r = spawnSync(cli, ['init', '--demo', '--admin', 'admin'], { env, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`reopen init --demo failed (${r.status}): ${r.stderr}`)
    const passwords = { admin: 'Chief-2020x' }
    for (const line of r.stdout.split('\n')) {
      const m = line.trim().split('\t')
      if (m.length >= 3) passwords[m[0]] = m[2]
    }
    writeFileSync(process.env.E2E_STATE, JSON.stringify({ db, work, cli, now, passwords }, null, 2))
    console.log(`e2e: database ${db}, app ${app}`)
  },

  beforeSession(_config, _capabilities, specs) {
    const env = { ...process.env, REOPEN_NOW: now, LANG: 'zh_CN.UTF-8' }
    // The app turns WebKit's compositing off by default (src-tauri/src/main.rs) and the tests run
    // it that way. WebKitWebDriver's screenshot command never answers in that mode once the page
    // has navigated, so only when screenshots are asked for (E2E_SHOTS) does the screens spec run
    // with compositing on, where the web process under Xvfb's software GL has been seen to crash.
    if (process.env.E2E_SHOTS && specs.some((s) => s.includes('screens') || s.includes('review15'))) env.WEBKIT_DISABLE_COMPOSITING_MODE = '0'
    const port = Number(process.env.E2E_PORT || 4444)
    driver = spawn(driverBin, ['--port', String(port), '--native-port', String(port + 1)], { stdio: ['ignore', 'inherit', 'inherit'], env })
    driver.on('error', (e) => {
      console.error(`tauri-driver could not start (${driverBin}): ${e.message}`)
      process.exit(1)
    })
  },

  afterSession() {
    stopDriver()
  },

  onComplete() {
    if (!process.env.E2E_KEEP) rmSync(work, { recursive: true, force: true })
    else console.log(`e2e: kept ${work}`)
  },
}

for (const sig of ['SIGINT', 'SIGTERM', 'exit']) process.on(sig, stopDriver)
