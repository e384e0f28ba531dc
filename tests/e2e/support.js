// Helpers shared by the end-to-end specs: finding Element Plus widgets by their visible Chinese
// labels, logging in and out, and the demo state written by wdio.conf.js.
import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { Key } from 'webdriverio'

export const state = () => JSON.parse(readFileSync(process.env.E2E_STATE, 'utf8'))

const q = (s) => (s.includes("'") ? `concat('${s.split("'").join(`', "'", '`)}')` : `'${s}'`)

/** The form item whose label reads `label` (exactly, ignoring surrounding blanks and a trailing colon):
 * an Element Plus form item, or a field of the login screen (plain elements, classes `field` and
 * `field-label`). */
export const formItem = (label) => {
  const text = `normalize-space(translate(.,'：:',''))=${q(label)}`
  const ep = `(contains(@class,'el-form-item ') or @class='el-form-item') and (./*[contains(@class,'el-form-item__label')][${text}] or ./*/*[contains(@class,'el-form-item__label')][${text}])`
  const plain = `contains(concat(' ',normalize-space(@class),' '),' field ') and ./label[contains(@class,'field-label')][${text}]`
  return $(`//div[(${ep}) or (${plain})]`)
}

export const input = (label) => formItem(label).$('.//input|.//textarea')

export async function fill(label, value) {
  const el = await input(label)
  await el.waitForDisplayed()
  // Element Clear does not reach Vue's v-model (Element Plus writes the old model value back), so
  // select everything and delete it as a user would, then type.
  await el.click()
  await browser.keys([Key.Ctrl, 'a'])
  await browser.keys('Backspace')
  if (String(value)) await el.addValue(String(value))
}

/** The visible button whose text is `text` (Element Plus spaces two-character labels: 登 录). */
export const button = (text) =>
  $(`//button[not(@disabled)][normalize-space(translate(.,' ',''))=${q(text.replace(/ /g, ''))}]`)

export async function click(text) {
  const b = await button(text)
  await b.waitForClickable()
  await b.click()
}

export async function hashPath() {
  return browser.execute(() => window.location.hash.replace(/^#/, ''))
}

export async function waitForPath(prefix, timeout = 15000) {
  await browser.waitUntil(async () => (await hashPath()).startsWith(prefix), {
    timeout,
    timeoutMsg: `expected to reach ${prefix}, still at ${await hashPath()}`,
  })
}

export async function login(name) {
  const pw = state().passwords[name]
  if (!pw) throw new Error(`no password for ${name}`)
  await waitForPath('/login')
  await fill('用户名', name)
  await fill('密码', pw)
  await click('登录')
}

export async function logout() {
  const b = await $(`//header//button[normalize-space()='退出登录']`)
  await b.waitForClickable()
  await b.click()
  await waitForPath('/login')
}

/** Text of the first Element Plus message box / toast currently shown, if any. */
export async function toastText() {
  const m = await $('.el-message')
  return (await m.isExisting()) ? m.getText() : ''
}

/** The application's state tag beside the page title. */
export const appState = () => $('.page .toolbar .el-tag')

/** The error text shown under the form item labelled `label`. */
export const fieldError = (label) =>
  formItem(label).$('.//*[contains(@class,"el-form-item__error") or contains(@class,"field-error")]')

/** Clicks the left-hand menu entry `label`. */
export async function menu(label) {
  const m = await $(`//li[contains(@class,'el-menu-item')][normalize-space()=${q(label)}]`)
  await m.waitForClickable()
  await m.click()
}

/** The first table cell reading `text` (click it to click its row). */
export async function tableRow(text) {
  const cell = await $(`//tr[contains(@class,'el-table__row')]/td[normalize-space()=${q(text)}]//div[contains(@class,'cell')]`)
  await cell.waitForClickable()
  return cell
}

/** Clicks the action button `action` in the table row containing `text`. Element Plus renders
 * fixed columns twice; the visible copy is the one clicked. */
export async function clickRowAction(text, action) {
  await browser.waitUntil(
    async () => {
      const buttons = await $$(
        `//tr[contains(@class,'el-table__row')][./td[normalize-space()=${q(text)} or .//*[normalize-space()=${q(text)}]]]//button[normalize-space()=${q(action)}]`,
      )
      for (const b of buttons) {
        if ((await b.isDisplayed()) && (await b.isClickable())) {
          await b.click()
          return true
        }
      }
      return false
    },
    { timeoutMsg: `no row with "${text}" and a "${action}" button` },
  )
}

/** Presses 确定 in the Element Plus message box (confirm dialog) now showing. */
export async function confirmMessageBox() {
  const ok = await $(`//div[contains(@class,'el-message-box__btns')]//button[normalize-space()='确定']`)
  await ok.waitForClickable()
  await ok.click()
  await ok.waitForDisplayed({ reverse: true })
}

/** Waits for a toast (ElMessage) whose text contains `part`; returns its text. */
export async function waitForToast(part) {
  let seen = ''
  await browser.waitUntil(
    async () => {
      for (const m of await $$('.el-message')) {
        const text = await m.getText().catch(() => '')
        if (text.includes(part)) {
          seen = text
          return true
        }
      }
      return false
    },
    { timeoutMsg: `no message containing "${part}"` },
  )
  return seen
}

/** Answers the native GTK "save file" dialog (outside the webview, so out of WebDriver's reach)
 * with xdotool: waits for the dialog, types the absolute path into its name field, presses Enter. */
export function answerSaveDialog(file, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs
  let win = ''
  while (!win && Date.now() < deadline) {
    const r = spawnSync('xdotool', ['search', '--onlyvisible', '--class', 'reopen'], { encoding: 'utf8' })
    // The dialog is the newest visible window of the app that is not the main window, which is
    // named after the system (雅安市企业复工复产审批 from the policy, 复工复产审批 until it is read).
    const ids = (r.stdout || '').trim().split('\n').filter(Boolean)
    for (const id of ids) {
      const name = spawnSync('xdotool', ['getwindowname', id], { encoding: 'utf8' }).stdout.trim()
      if (name && !name.endsWith('复工复产审批')) win = id
    }
    if (!win) spawnSync('sleep', ['0.3'])
  }
  if (!win) throw new Error('the save dialog did not appear')
  spawnSync('xdotool', ['windowfocus', '--sync', win])
  spawnSync('xdotool', ['key', '--window', win, 'ctrl+a'])
  spawnSync('xdotool', ['type', '--window', win, '--delay', '20', file])
  spawnSync('sleep', ['0.3'])
  spawnSync('xdotool', ['key', '--window', win, 'Return'])
}

/** Clicks the radio button (Element Plus el-radio-button) whose text is `text`. */
export async function radio(text) {
  const r = await $(`//label[contains(@class,'el-radio-button')][normalize-space()=${q(text)}]`)
  await r.waitForClickable()
  await r.click()
}

/** Clicks the button `text` in the footer of the open dialog. */
export async function dialogButton(text) {
  const b = await $(`//*[contains(@class,'el-dialog__footer')]//button[normalize-space()=${q(text)}]`)
  await b.waitForClickable()
  await b.click()
}
