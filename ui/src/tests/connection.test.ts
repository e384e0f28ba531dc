// The pure rules of the connection form: what a probe means (new, known, changed) and how a
// fingerprint is shown (4 groups of 8 pairs), plus the connection texts in both languages.
import { describe, expect, it } from 'vitest'
import { fingerprintDigits, fingerprintGroups, shortFingerprint, verdictOf } from '../api/connection'
import zh from '../i18n/zh-CN'
import en from '../i18n/en'

// A SHA-256 fingerprint as the server prints it: 32 pairs, colon-separated.
const FP = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) % 256).toString(16).toUpperCase().padStart(2, '0')).join(':')
const OTHER = FP.replace(/^../, 'FF') === FP ? FP.replace(/^../, '00') : FP.replace(/^../, 'FF')

describe('the verdict on a probed server', () => {
  it('never connected: new (the user checks the fingerprint)', () => {
    expect(verdictOf({ fingerprint: FP, remembered: null })).toBe('new')
    expect(verdictOf({ fingerprint: FP, remembered: '' })).toBe('new')
  })
  it('the fingerprint remembered: known (connect at once), whatever the case or separators', () => {
    expect(verdictOf({ fingerprint: FP, remembered: FP })).toBe('known')
    expect(verdictOf({ fingerprint: FP, remembered: FP.toLowerCase() })).toBe('known')
    expect(verdictOf({ fingerprint: FP, remembered: FP.replace(/:/g, '') })).toBe('known')
  })
  it('another fingerprint than remembered: changed (refused)', () => {
    expect(verdictOf({ fingerprint: FP, remembered: OTHER })).toBe('changed')
    // One digit differs at the end: still changed.
    const last = FP.slice(0, -1) + (FP.endsWith('0') ? '1' : '0')
    expect(verdictOf({ fingerprint: FP, remembered: last })).toBe('changed')
    // A remembered fingerprint that is a prefix of the shown one is not the same.
    expect(verdictOf({ fingerprint: FP, remembered: FP.slice(0, 47) })).toBe('changed')
  })
})

describe('a fingerprint as the user compares it', () => {
  it('is 4 lines of 8 colon-separated pairs that put together give the fingerprint back', () => {
    const g = fingerprintGroups(FP)
    expect(g).toHaveLength(4)
    for (const line of g) expect(line).toMatch(/^([0-9A-F]{2}:){7}[0-9A-F]{2}$/)
    expect(g.join(':')).toBe(FP)
  })
  it('normalises what it is given: lower case, no separators, blanks', () => {
    expect(fingerprintGroups(FP.toLowerCase().replace(/:/g, ' '))).toEqual(fingerprintGroups(FP))
    expect(fingerprintDigits('ab:cd ef')).toBe('ABCDEF')
    expect(fingerprintGroups('')).toEqual([])
  })
  it('in a status line, its first group and an ellipsis', () => {
    expect(shortFingerprint(FP)).toBe(`${FP.slice(0, 23)}…`)
    expect(shortFingerprint(null)).toBe('')
  })
})

describe('the connection texts', () => {
  const keys = [
    'choice', 'local', 'server', 'address', 'placeholder', 'connect', 'verifyTitle', 'verifyHint', 'confirm', 'cancel',
    'changedTitle', 'changedHint', 'fingerprint', 'whereLocal', 'whereServer', 'lostTitle', 'lostHint', 'aboutMode', 'aboutServer',
  ] as const
  it('exist in both languages', () => {
    for (const k of keys) {
      expect(zh.connection[k], k).toBeTruthy()
      expect(en.connection[k], k).toBeTruthy()
    }
  })
  it('say what the brief says, in the glossary’s words (服务器指纹, never 证书)', () => {
    expect(zh.connection.local).toBe('本机数据库')
    expect(zh.connection.server).toBe('连接服务器')
    expect(zh.connection.address).toBe('服务器地址')
    expect(zh.connection.confirm).toBe('确认并连接')
    expect(zh.connection.verifyHint).toContain('核对指纹')
    expect(zh.connection.lostTitle).toContain('与服务器的连接已断开')
    expect(Object.values(zh.connection).join('')).not.toContain('证书')
  })
})
