import { describe, expect, it } from 'vitest'
import { attachmentWords, fileKind, isImage, linesOf, sizeWords, toggleLine } from '../views/reviewer/words'

describe('attachments in words, never a MIME type', () => {
  it('names the kind of file', () => {
    expect(fileKind('application/pdf')).toBe('PDF 文件')
    expect(fileKind('image/jpeg')).toBe('JPEG 图片')
    expect(fileKind('image/png')).toBe('PNG 图片')
    expect(fileKind('image/png', 'en')).toBe('PNG image')
    expect(fileKind('application/octet-stream')).toBe('文件')
  })
  it('gives the size in bytes, KB or MB with one decimal under ten', () => {
    expect(sizeWords(820)).toBe('820 字节')
    expect(sizeWords(1024)).toBe('1 KB')
    expect(sizeWords(356 * 1024 + 100)).toBe('356 KB')
    expect(sizeWords(Math.round(1.24 * 1024 * 1024))).toBe('1.2 MB')
    expect(sizeWords(10 * 1024 * 1024)).toBe('10 MB')
    expect(sizeWords(-1)).toBe('')
  })
  it('reads as a county office writes it', () => {
    const s = attachmentWords('application/pdf', Math.round(1.2 * 1024 * 1024))
    expect(s).toBe('PDF 文件，1.2 MB')
    expect(s).not.toMatch(/application|\//)
    expect(attachmentWords('image/jpeg', 2048, 'en')).toBe('JPEG image, 2 KB')
  })
  it('shows images in the window, opens the rest outside', () => {
    expect(isImage('image/png')).toBe(true)
    expect(isImage('application/pdf')).toBe(false)
  })
})

describe('stock conditions and items to correct, picked as lines', () => {
  it('adds a line once and takes it out again', () => {
    const a = toggleLine('', '按核定复工人数复工，不得超员。')
    expect(a).toBe('按核定复工人数复工，不得超员。')
    const b = toggleLine(a + '\n自己写的条件 ', '每日按时报送员工健康情况。')
    expect(linesOf(b)).toEqual(['按核定复工人数复工，不得超员。', '自己写的条件', '每日按时报送员工健康情况。'])
    expect(toggleLine(b, '按核定复工人数复工，不得超员。')).toBe('自己写的条件\n每日按时报送员工健康情况。')
  })
})
