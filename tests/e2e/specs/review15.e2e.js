// Issue 15 in the real window: a reviewer decides with everything in front of them (the queue
// searched by name, the attachments opened, the roster by health concern, the firm's warnings and
// the policy's findings in the decision dialog, a stock opinion picked, 不同意 confirmed), the
// leader's dashboard, and the guide (办事指南). With E2E_SHOTS set, each screen is photographed
// (30-… to 39-…), e.g.  E2E_SHOTS=$PWD/docs/screens xvfb-run -a npm test --prefix tests/e2e
//
// Its own application: a firm of the examples (docs/examples/firm-b.json, industry 14, reviewed by
// 雨城区经济和信息化局, yc_jxj, whom no other spec uses) registered, filed with two attachments and
// submitted by the counter clerk through the CLI, then rejected here. The other specs' applications
// are left alone.
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { answerSaveDialog, button, click, dialogButton, login, logout, menu, radio, state, tableRow, waitForPath, waitForToast } from '../support.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const examples = path.resolve(here, '../../../docs/examples')
const shots = process.env.E2E_SHOTS
if (shots) mkdirSync(shots, { recursive: true })
const FIRM = '雅安市雨城区青衣江食品有限公司'
let appId = 0

/** The CLI as `user` on the window's database, at the window's time; stdout. */
function cli(user, args) {
  const { cli: bin, db, now, passwords } = state()
  const env = { ...process.env, REOPEN_DB: db, REOPEN_NOW: now, REOPEN_PASSWORD: passwords[user], LANG: 'zh_CN.UTF-8' }
  return execFileSync(bin, ['--user', user, ...args], { env, encoding: 'utf8' })
}

/** Waits for the screen to settle, checks it shows no error and saves `name`.png. */
async function shot(name) {
  await browser.waitUntil(async () => (await $$('.el-loading-mask')).length === 0 || !(await $('.el-loading-mask').isDisplayed()), {
    timeoutMsg: `${name}: still loading`,
  })
  await browser.pause(400)
  const errors = await browser.execute(() =>
    [...document.querySelectorAll('.page .el-alert--error, .el-message--error')].filter((a) => a.offsetParent !== null).map((a) => a.textContent.trim()),
  )
  assert.deepEqual(errors, [], `${name} shows errors`)
  if (shots) await browser.saveScreenshot(path.join(shots, `${name}.png`))
}

const tab = async (label) => {
  const t = await $(`//div[contains(@class,"el-tabs__item")][starts-with(normalize-space(),"${label}")]`)
  await t.waitForClickable()
  await t.click()
}

describe('issue 15: the reviewer, the leader and the guide', () => {
  before(() => {
    // Filed at the counter: the example firm and plan (with too few masks, so that the policy
    // finds something), its roster, a scanned commitment (PDF) and a picture (PNG), submitted.
    const work = state().work
    const plan = JSON.parse(readFileSync(path.join(examples, 'plan-b.json'), 'utf8'))
    plan.supplies.masks = 60
    const planFile = path.join(work, 'plan-review15.json')
    writeFileSync(planFile, JSON.stringify(plan))
    cli('yc_clerk', ['firm', 'register', '--file', path.join(examples, 'firm-b.json')])
    const created = JSON.parse(cli('yc_clerk', ['--json', 'app', 'create', '--firm', '91511802MA62AB055T', '--file', planFile]))
    appId = created.id
    cli('yc_clerk', ['app', 'roster', '--file', path.join(examples, 'roster.csv'), String(appId)])
    cli('yc_clerk', ['app', 'attach', String(appId), path.join(examples, '承诺书.pdf')])
    const picture = path.join(work, '营业执照.png')
    copyFileSync(path.resolve(here, '../../../assets/icons/icon.png'), picture)
    cli('yc_clerk', ['app', 'attach', String(appId), picture])
    cli('yc_clerk', ['app', 'submit', String(appId)])
  })

  it('anyone reads the guide from the login screen: deadlines from the policy, the blank commitment', async () => {
    await waitForPath('/login')
    const link = await $('//button[contains(@class,"guide-link")]')
    await link.waitForClickable()
    await link.click()
    await waitForPath('/guide')
    await $('.guide .deadlines').waitForDisplayed()
    const text = await browser.execute((el) => el.textContent, await $('.guide'))
    for (const w of ['一、申请条件', '二、申请材料', '三、办理流程', '四、办理时限', '五、咨询电话', '六、空白模板下载']) assert.ok(text.includes(w), w)
    assert.match(text, /每个审核环节24 小时内办结/)
    assert.match(text, /绿色通道审核环节8 小时内办结/)
    assert.match(text, /次日 10:00 前报送/)
    assert.match(text, /12345/)
    await shot('50-guide-without-login')
    const target = path.join(state().work, 'commitment.pdf')
    await click('复工复产承诺书（PDF）')
    answerSaveDialog(target)
    await waitForToast('已保存')
    const pdf = execFileSync('pdftotext', [target, '-'], { encoding: 'utf8' }).replace(/\s/g, '')
    assert.ok(pdf.includes('企业复工复产承诺书') && pdf.includes('主要负责人（签字）'), pdf)
    const back = await $('//button[contains(normalize-space(),"返回登录")]')
    await back.click()
    await waitForPath('/login')
  })

  it('the reviewer finds the application in the queue by a part of its name', async () => {
    await login('yc_jxj')
    await waitForPath('/review')
    const search = await $('.queue-search input')
    await search.waitForDisplayed()
    await search.setValue('青衣江食品')
    await browser.keys('Enter')
    await browser.waitUntil(async () => (await $$('//div[contains(@class,"queue")]//tr[contains(@class,"el-table__row")]')).length === 1, {
      timeoutMsg: 'the search leaves one row',
    })
    const row = await $('//div[contains(@class,"queue")]//tr[contains(@class,"el-table__row")]')
    await shot('51-reviewer-queue-search')
    const text = await browser.execute((el) => el.textContent, row)
    assert.match(text, /雨城区/, 'the county column')
    assert.match(text, /食品制造业/, 'the industry column')
    assert.match(text, /91511802MA62AB055T/, 'the credit code column')
    assert.match(text, /剩余 \d+ 小时/, 'time left in words')
    await (await tableRow(FIRM)).click()
    await waitForPath(`/review/${appId}`)
  })

  it('opens the attachments: type and size in words, the picture shown in the window', async () => {
    await tab('附件材料')
    const table = await $('.attachments')
    await browser.waitUntil(async () => (await browser.execute((el) => el.textContent, table)).includes('PDF 文件，'), { timeoutMsg: 'no PDF in words' })
    const listed = await browser.execute((el) => el.textContent, table)
    assert.match(listed, /PNG 图片，\d+(\.\d)? KB/)
    assert.doesNotMatch(listed, /application\/pdf|image\/png/, 'no MIME type on screen')
    await shot('52-reviewer-attachments')
    const open = await $('//div[contains(@class,"attachments")]//tr[contains(@class,"el-table__row")][.//td[normalize-space()="营业执照.png"]]//button')
    await open.waitForClickable()
    await open.click()
    const img = await $('.preview-img')
    await img.waitForDisplayed()
    await browser.waitUntil(async () => (await browser.execute((el) => el.naturalWidth, img)) === 512, { timeoutMsg: 'the picture did not load' })
    await shot('53-reviewer-attachment-open')
    await browser.keys('Escape')
    await img.waitForDisplayed({ reverse: true })
  })

  it('filters the roster by health concern', async () => {
    await tab('员工花名册')
    await radio('重点地区返岗（1）')
    await browser.waitUntil(async () => (await $$('//div[contains(@class,"el-tab-pane")]//tr[contains(@class,"el-table__row")]')).length >= 1)
    const rows = await $$('//div[@id="pane-roster"]//tr[contains(@class,"el-table__row")]')
    assert.equal(rows.length, 1, 'one person back from a key area')
    assert.match(await browser.execute((el) => el.textContent, rows[0]), /湖北省/)
    await shot('54-reviewer-roster-key-area')
  })

  it('decides: warnings in the dialog, nothing preselected, a stock opinion, 不同意 confirmed', async () => {
    await click('审核决定')
    const dialog = await $('.decision')
    await dialog.waitForDisplayed()
    const said = await browser.execute((el) => el.textContent, dialog)
    assert.match(said, /请留意以下提示/)
    assert.match(said, /口罩/, 'the supplies finding is in the dialog')
    const checked = await $$('.decision .el-radio-button.is-active')
    assert.equal(checked.length, 0, 'no verdict preselected')
    await shot('55-reviewer-decision-dialog')
    // Submitting without a verdict is refused next to the field.
    await dialogButton('提交审核决定')
    await expect($('.decision .el-form-item__error')).toHaveText(expect.stringContaining('请选择审核结论'))
    await radio('不同意')
    const stock = await $('//div[contains(@class,"decision")]//*[contains(@class,"el-check-tag")][contains(normalize-space(),"不属于当前允许复工的行业范围")]')
    await stock.click()
    await expect($('//div[contains(@class,"decision")]//textarea')).toHaveValue(expect.stringContaining('不予批准'))
    await dialogButton('不同意')
    const box = await $('.el-message-box')
    await box.waitForDisplayed()
    assert.match(await browser.execute((el) => el.textContent, box), /不予批准/)
    await shot('56-reviewer-reject-confirm')
    const yes = await $(`//div[contains(@class,'el-message-box__btns')]//button[normalize-space()='确认不同意']`)
    await yes.waitForClickable()
    await yes.click()
    await waitForToast('审核决定已提交')
    const a = JSON.parse(cli('admin', ['--json', 'app', 'show', String(appId)]))
    assert.equal(a.state, 'rejected')
    assert.match(a.tasks.at(-1).opinion, /不属于当前允许复工的行业范围/)
    await logout()
  })

  it('the leader reads the headline figures, every county and the period, and exports it', async () => {
    await login('ya_leader')
    await waitForPath('/dashboard')
    await $('.headline').waitForDisplayed()
    const head = await browser.execute((el) => el.textContent, await $('.headline'))
    for (const w of ['登记企业', '已复工企业', '复工率', '核定复工人数', '审核中', '超时未办']) assert.ok(head.includes(w), `${w} in ${head}`)
    assert.match(head, /\d+(\.\d)?%复工率/)
    const period = await browser.execute((el) => el.textContent, await $('.period'))
    assert.match(period, /雅安市，统计期间：2020年1月23日至2020年2月5日（默认为最近 14 天/)
    await $('canvas').waitForDisplayed()
    await browser.waitUntil(async () => (await $$('.el-message')).length === 0, { timeoutMsg: 'a message stays' })
    await shot('57-leader-dashboard')
    const target = path.join(state().work, 'dashboard.xlsx')
    await click('导出 Excel')
    answerSaveDialog(target)
    await waitForToast('已导出')
    assert.ok(existsSync(target) && statSync(target).size > 4000, `${target} was written`)
    assert.equal(readFileSync(target).subarray(0, 2).toString(), 'PK', 'an .xlsx (zip) file')
    // The guide is in every role's menu.
    await menu('办事指南')
    await waitForPath('/help')
    await $('.guide .deadlines').waitForDisplayed()
    await logout()
  })

  it('the administrator adds a consulting phone on the policy screen and the guide shows it', async () => {
    await login('admin')
    await menu('政策参数')
    await waitForPath('/admin/policy')
    const add = await button('添加咨询电话')
    await add.scrollIntoView()
    await add.click()
    const names = await $$('.contact-row')
    const row = names[names.length - 1]
    await row.$('.//input[@placeholder="部门名称"]').setValue('雨城区经济和信息化局')
    await row.$('.//input[@placeholder="咨询电话"]').setValue('0835-2236180')
    await row.scrollIntoView()
    await shot('58-admin-policy-phrases-phones')
    await click('保存')
    await waitForToast('政策参数已保存')
    await menu('办事指南')
    await waitForPath('/help')
    const contacts = await $('.guide .contacts')
    await contacts.waitForDisplayed()
    await browser.waitUntil(async () => (await browser.execute((el) => el.textContent, contacts)).includes('0835-2236180'), {
      timeoutMsg: 'the new phone is not in the guide',
    })
    await contacts.scrollIntoView()
    await shot('59-guide-from-menu')
    await logout()
  })
})
