// The main journey through the real window: a firm submits → the department returns it → the
// firm resubmits → the department approves → the leading group office countersigns → the counter
// clerk issues and prints the certificate (the PDF exists and names the firm). On the way, a bad
// entry shows the core's Chinese error next to its field and changes nothing. The clerk prints the
// receipt and the return notice; the firm reads the return, the certificate and (another firm) a
// rejection in its message centre and saves its certificate from its status page.
import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import {
  answerSaveDialog,
  appState,
  click,
  clickRowAction,
  confirmMessageBox,
  dialogButton,
  fieldError,
  fill,
  input,
  login,
  logout,
  menu,
  radio,
  state,
  tableRow,
  waitForPath,
  waitForToast,
} from '../support.js'

const FIRM = '雅安雨城综合建材商行'
const APP = 8
let masksBefore = NaN

/** The message centre's menu item (its text carries the unread badge's number). */
async function openMessages() {
  const item = await $('//li[contains(@class,"el-menu-item")][contains(normalize-space(),"站内消息")]')
  await item.waitForClickable()
  await item.click()
  await waitForPath('/firm/messages')
}

/** From wizard step `from` (0-based) to 预览提交, submits with `button`, confirms, lands on the status page. */
async function submitFromStep(from, button) {
  for (let step = from; step < 5; step++) await click('下一步')
  await click(button)
  await confirmMessageBox()
  await waitForPath(`/apps/${APP}`)
  await expect(appState()).toHaveText('审核中')
  await logout()
}

/** A reviewer logs in, opens the firm's application from the queue and the decision dialog. */
async function openDecision(reviewer) {
  await login(reviewer)
  await waitForPath('/review')
  await (await tableRow(FIRM)).click()
  await waitForPath(`/review/${APP}`)
  await click('审核决定')
}

describe('a firm files, the departments decide, the clerk prints', () => {
  it('shows the login window in Chinese', async () => {
    await waitForPath('/login')
    await expect($('.center-card')).toHaveText(expect.stringContaining('复工复产审批'))
  })

  it('the firm opens its draft and a bad entry shows its Chinese field error, changing nothing', async () => {
    await login('firm8')
    await waitForPath('/firm')
    await expect($('h2')).toHaveText(FIRM)
    await clickRowAction(String(APP), '填写/修改')
    await waitForPath(`/apps/${APP}/edit`)
    await click('下一步') // 复工方案
    await click('下一步') // 防控措施与物资
    const plan = await input('疫情应急预案')
    await plan.waitForDisplayed()
    const original = await plan.getValue()
    assert.ok(original.length > 10, 'the demo draft has an emergency plan')
    await fill('疫情应急预案', '   ')
    await click('下一步')
    await click('下一步')
    await click('下一步') // 预览提交
    await click('提交申请')
    await confirmMessageBox()
    // The core refuses the submission; the wizard goes back to the step of the first error.
    const err = await fieldError('疫情应急预案')
    await err.waitForDisplayed()
    assert.match(await err.getText(), /[\u4e00-\u9fff]/, 'the field error is in Chinese')
    await expect(appState()).toHaveText('草稿')
    await fill('疫情应急预案', original)
  })

  it('the firm submits', async () => {
    await submitFromStep(2, '提交申请')
  })

  it('the department returns it with an opinion', async () => {
    await openDecision('yc_swj')
    await radio('退回补正')
    await fill('审核意见', '请补充口罩储备')
    await dialogButton('退回补正')
    await waitForToast('')
    await expect(appState()).toHaveText('退回补正')
    await logout()
  })

  it('the clerk prints the receipt and the return notice, which lists the opinion', async () => {
    await login('yc_clerk')
    await waitForPath('/clerk/intake')
    await menu('打印中心')
    await waitForPath('/clerk/print')
    await $('//div[contains(@class,"el-tabs__item")][normalize-space()="回执与告知书"]').click()
    await expect($('[data-test="pager-total"]')).toHaveText(expect.stringMatching(/^共 \d+ 条$/))
    for (const [kind, file, words] of [
      ['receipt', 'receipt.pdf', ['受理回执', FIRM]],
      ['return', 'return-notice.pdf', ['退回补正告知书', '请补充口罩储备']],
    ]) {
      const target = path.join(state().work, file)
      const btn = await $(`[data-test="notice-${kind}-${APP}"]`)
      await btn.waitForClickable()
      await btn.click()
      answerSaveDialog(target)
      await browser.waitUntil(() => existsSync(target) && statSync(target).size > 5000, { timeoutMsg: `${target} was not written` })
      const text = execFileSync('pdftotext', [target, '-'], { encoding: 'utf8' }).replace(/\s+/g, '')
      for (const w of words) assert.ok(text.includes(w), `${file} says ${w}:\n${text}`)
    }
    await logout()
  })

  it('the firm finds the return and its opinion in its message centre, marked unread', async () => {
    await login('firm8')
    await waitForPath('/firm')
    await $('[data-test="menu-unread"]').waitForDisplayed()
    await openMessages()
    const msg = await $('[data-test="msg-returned"]')
    await msg.waitForDisplayed()
    await expect(msg.$('[data-test="msg-opinion"]')).toHaveText(expect.stringContaining('请补充口罩储备'))
    await click('全部标为已读')
    await $('[data-test="inbox-unread"]').waitForDisplayed({ reverse: true })
    await logout()
  })

  it('the firm reads the opinion, adds masks and resubmits', async () => {
    await login('firm8')
    await waitForPath('/firm')
    await clickRowAction(String(APP), '填写/修改')
    await waitForPath(`/apps/${APP}/edit`)
    await expect($('.page .el-alert--warning')).toHaveText(expect.stringContaining('请补充口罩储备'))
    await click('下一步')
    await click('下一步')
    const masks = await input('口罩（只）')
    const before = Number(await masks.getValue())
    masksBefore = before
    await fill('口罩（只）', before + 500)
    await browser.keys('Tab')
    await submitFromStep(2, '修改后重新提交')
  })

  it('the department approves with a headcount, then the office countersigns', async () => {
    await openDecision('yc_swj')
    await radio('同意')
    await fill('核定复工人数', 5)
    await fill('审核意见', '同意复工')
    await dialogButton('同意')
    await waitForToast('')
    await logout()

    await openDecision('yc_zhb')
    await radio('同意')
    await fill('审核意见', '同意')
    await dialogButton('同意')
    await waitForToast('')
    await expect(appState()).toHaveText('已批准')
    await logout()
  })

  it('the clerk issues the certificate and prints it to a PDF that names the firm', async () => {
    await login('yc_clerk')
    await waitForPath('/clerk/intake')
    await menu('打印中心')
    await waitForPath('/clerk/print')
    await $('//div[contains(@class,"el-tabs__item")][normalize-space()="已批准待发证"]').click()
    await clickRowAction(FIRM, '发放批准通知书')
    await waitForToast('已发证')
    await $('//div[contains(@class,"el-tabs__item")][normalize-space()="待打印批准通知书"]').click()
    const target = path.join(state().work, 'certificate.pdf')
    await clickRowAction(FIRM, '打印')
    answerSaveDialog(target)
    await waitForToast('已生成')
    assert.ok(existsSync(target) && statSync(target).size > 10000, `${target} was written`)
    const text = execFileSync('pdftotext', [target, '-'], { encoding: 'utf8' })
    assert.ok(text.includes(FIRM), `the certificate names the firm:\n${text}`)
  })

  it('the firm is told of the certificate and saves its PDF from its status page', async () => {
    await logout()
    await login('firm8')
    await waitForPath('/firm')
    await openMessages()
    await $('[data-test="msg-issued"]').waitForDisplayed()
    await $('[data-test="msg-issued"]').click()
    await waitForPath(`/apps/${APP}`)
    await $('[data-test="app-certificate"]').waitForDisplayed()
    const target = path.join(state().work, 'firm-certificate.pdf')
    await $('[data-test="save-certificate"]').click()
    answerSaveDialog(target)
    await browser.waitUntil(() => existsSync(target) && statSync(target).size > 10000, { timeoutMsg: `${target} was not written` })
    const text = execFileSync('pdftotext', [target, '-'], { encoding: 'utf8' })
    assert.ok(text.includes(FIRM), `the firm's copy names the firm:\n${text}`)
  })

  it('another firm sees its rejection and the reason in its message centre', async () => {
    await logout()
    await login('firm4')
    await waitForPath('/firm')
    await openMessages()
    const msg = await $('[data-test="msg-rejected"]')
    await msg.waitForDisplayed()
    await expect(msg).toHaveText(expect.stringContaining('不予批准'))
    const reason = await msg.$('[data-test="msg-opinion"]').getText()
    assert.ok(/^理由：.+/.test(reason), `the rejection says why: ${reason}`)
  })

  it('the leader sees the approval on the dashboard', async () => {
    await logout()
    await login('ya_leader')
    await waitForPath('/dashboard')
    await $('canvas').waitForDisplayed()
  })

  it('the core recorded it all: certified after two submissions, the added masks, an intact audit chain', () => {
    const { cli, db, passwords } = state()
    const env = { ...process.env, REOPEN_DB: db, REOPEN_PASSWORD: passwords.admin }
    const a = JSON.parse(execFileSync(cli, ['--user', 'admin', 'app', 'show', String(APP), '--json'], { env, encoding: 'utf8' }))
    assert.equal(a.state, 'certified')
    assert.equal(a.submission_no, 2)
    assert.equal(a.approved_headcount, 5)
    assert.equal(a.plan.supplies.masks, masksBefore + 500)
    execFileSync(cli, ['--user', 'admin', 'audit', 'verify'], { env, encoding: 'utf8' })
  })
})
