// The end-to-end test of network mode (issue 14): the real window as a client of `reopen serve` on
// loopback, on a throwaway PostgreSQL database. Everything else (tauri-driver, the app binary, the
// temp directory, the clock) is wdio.conf.js's; only the data and the spec differ.
//
// Needs REOPEN_PG_URL: a cluster's maintenance database on which we may create databases, as
// scripts/lib/pg.sh's start_test_pg sets it (`postgres://reopen_admin@/postgres?host=/tmp/…`). Before
// the session: the demo (`reopen init --demo` in a file, `reopen migrate` into a fresh database on
// that cluster, made with psql), and `reopen serve` on it at 127.0.0.1 on a free port (its address and certificate fingerprint are read from
// its first line of JSON). The app is started as in wdio.conf.js with `--db` on a file in the temp
// directory: a local database with only an administrator, so that the window opens on the login
// screen, where the spec chooses 连接服务器. After the run the server is stopped and the database
// dropped.
//
//   . scripts/lib/pg.sh && start_test_pg && xvfb-run -a npm run test:network --prefix tests/e2e
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { config as base } from './wdio.conf.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const cli = process.env.REOPEN_CLI || path.join(root, 'target/debug/reopen')
const appArgs = base.capabilities[0]['tauri:options'].args
/** The app's own database file (wdio.conf.js's `--db`). */
const local = appArgs[appArgs.indexOf('--db') + 1]
const work = process.env.E2E_DIR // set by wdio.conf.js
const state = process.env.E2E_STATE
const now = '2020-02-05T09:00:00+08:00'
const adminPassword = 'Chief-2020x'

/** `url` with another database name (the path of a postgres:// URL; the query is kept). */
export function withDatabase(url, name) {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/.exec(url)
  if (!m) throw new Error(`not a postgres:// URL: ${url}`)
  return `${m[1]}/${name}${m[2] ?? ''}`
}

function psql(url, sql) {
  const r = spawnSync('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-X', url, '-c', sql], { encoding: 'utf8' })
  if (r.error) throw new Error(`psql could not run (apt-get install postgresql-client): ${r.error.message}`)
  if (r.status !== 0) throw new Error(`psql ${sql} failed (${r.status}): ${r.stderr}`)
}

/** The environment of a `reopen` command here: none of the caller's database or server settings. */
export function cliEnv(extra = {}) {
  const env = { ...process.env, LANG: 'zh_CN.UTF-8', REOPEN_KNOWN_SERVERS: path.join(work, 'known_servers'), ...extra }
  for (const k of ['REOPEN_DB', 'REOPEN_KEYS_DIR', 'REOPEN_SERVER', 'REOPEN_SERVER_FINGERPRINT', 'REOPEN_TEST_PG', 'LC_ALL', 'LANGUAGE']) {
    if (!(k in extra)) delete env[k]
  }
  return env
}

/**
 * Starts `reopen serve` on `db` (listening on `listen`, port 0 for any) in the background and waits
 * for its first line: `{listening, fingerprint, …}`. Its output goes to files in the temp directory
 * (not to a pipe, so that it outlives the process that started it: the spec restarts it). Returns
 * `{url, fingerprint, pid}`.
 */
export async function startServer({ cli, db, keys, listen, log }) {
  const out = `${log}.out`
  writeFileSync(out, '')
  const stdout = openSync(out, 'a')
  const stderr = openSync(`${log}.err`, 'a')
  const child = spawn(cli, ['--db', db, '--keys', keys, '--json', 'serve', '--listen', listen, '--connections', '4'], {
    env: cliEnv({ REOPEN_NOW: now }),
    stdio: ['ignore', stdout, stderr],
    detached: true,
  })
  closeSync(stdout)
  closeSync(stderr)
  let exited = null
  child.on('exit', (code, sig) => (exited = `${code ?? sig}`))
  const deadline = Date.now() + 60000
  for (;;) {
    const first = readFileSync(out, 'utf8').split('\n')[0]
    if (first.trim().endsWith('}')) {
      const v = JSON.parse(first)
      child.unref()
      return { url: v.listening, fingerprint: v.fingerprint, pid: child.pid }
    }
    if (exited !== null) throw new Error(`reopen serve exited (${exited}): ${readFileSync(`${log}.err`, 'utf8')}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`reopen serve said nothing in 60 s: ${readFileSync(`${log}.err`, 'utf8')}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Stops the server `pid` with SIGTERM (graceful), SIGKILL after `ms`; resolves when it is gone. */
export async function stopServer(pid, ms = 15000) {
  const alive = () => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  if (!pid || !alive()) return
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + ms
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  if (alive()) process.kill(pid, 'SIGKILL')
}

/** The demo on PostgreSQL, the app's own file, the server (onPrepare's work once the database exists). */
async function prepare({ db, keys, demo }) {
  const env = cliEnv({ REOPEN_NOW: now, REOPEN_PASSWORD: adminPassword })
  const run = (what, args) => {
    const r = spawnSync(cli, args, { env, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr}`)
    return r.stdout
  }
  const passwords = { admin: adminPassword }
  for (const line of run('reopen init --demo', ['--db', demo, 'init', '--demo', '--admin', 'admin']).split('\n')) {
    const m = line.trim().split('\t')
    if (m.length >= 3) passwords[m[0]] = m[2]
  }
  run('reopen migrate', ['--user', 'admin', 'migrate', '--from', demo, '--to', db, '--keys', keys])
  // The app's own database file: only an administrator, so that the window opens on the login.
  run(`reopen init on ${local}`, ['--db', local, 'init', '--admin', 'admin'])

  const server = await startServer({ cli, db, keys, listen: '127.0.0.1:0', log: path.join(work, 'server') })
  const s = JSON.parse(readFileSync(state, 'utf8'))
  writeFileSync(state, JSON.stringify({ ...s, local, server, passwords }, null, 2))
  console.log(`e2e (network): server ${server.url} (${server.fingerprint}) on ${db}; app on ${local}`)
}

export const config = {
  ...base,
  specs: ['./specs/network.e2e.js'],
  exclude: [],

  async onPrepare() {
    const cluster = process.env.REOPEN_PG_URL
    if (!cluster) throw new Error('REOPEN_PG_URL is not set: start a test cluster first (. scripts/lib/pg.sh && start_test_pg)')
    const name = `reopen_e2e_${process.pid}_${Date.now()}`
    // As the README's "running it for a city" does: the demo made in a database file, then moved
    // into a fresh PostgreSQL database with `reopen migrate` (init --demo refuses PostgreSQL); the
    // key directory stays the file's.
    psql(cluster, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'`)
    const db = withDatabase(cluster, name)
    const demo = path.join(work, 'demo.db')
    const keys = `${demo}.keys`
    // Written at once, so that onComplete drops the database even if what follows fails.
    writeFileSync(state, JSON.stringify({ work, cli, now, pg: { cluster, name, db, keys }, passwords: {} }, null, 2))

    try {
      await prepare({ db, keys, demo })
    } catch (e) {
      // wdio does not run onComplete after a failed onPrepare: drop the database here.
      if (!process.env.E2E_KEEP) psql(cluster, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      throw e
    }
  },

  async onComplete(...args) {
    if (existsSync(state)) {
      const s = JSON.parse(readFileSync(state, 'utf8'))
      // The spec may have restarted the server: the state names the one running now.
      await stopServer(s.server?.pid)
      if (s.pg?.name && !process.env.E2E_KEEP) {
        try {
          psql(s.pg.cluster, `DROP DATABASE IF EXISTS ${s.pg.name} WITH (FORCE)`)
        } catch (e) {
          console.error(String(e))
        }
      }
    }
    return base.onComplete(...args)
  },
}
