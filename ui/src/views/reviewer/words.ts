// Pure wording for the review screens: an attachment's type and size as a person reads them
// ("PDF 文件，1.2 MB"), never a MIME type.

export type Lang = 'zh' | 'en'

/** The kind of file, by its MIME type (what the core recognised from its first bytes). */
export function fileKind(mime: string, lang: Lang = 'zh'): string {
  const m = mime.toLowerCase()
  if (m === 'application/pdf') return lang === 'zh' ? 'PDF 文件' : 'PDF file'
  if (m === 'image/jpeg') return lang === 'zh' ? 'JPEG 图片' : 'JPEG image'
  if (m === 'image/png') return lang === 'zh' ? 'PNG 图片' : 'PNG image'
  if (m.startsWith('image/')) return lang === 'zh' ? '图片' : 'image'
  return lang === 'zh' ? '文件' : 'file'
}

/** A size in bytes as B/KB/MB with one decimal under 10 (1.2 MB, 356 KB, 820 字节). */
export function sizeWords(bytes: number, lang: Lang = 'zh'): string {
  if (!Number.isFinite(bytes) || bytes < 0) return ''
  if (bytes < 1024) return lang === 'zh' ? `${bytes} 字节` : `${bytes} bytes`
  const units = ['KB', 'MB', 'GB']
  let v = bytes / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  const shown = v < 10 ? (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '') : String(Math.round(v))
  return `${shown} ${units[i]}`
}

/** "PDF 文件，1.2 MB" / "PDF file, 1.2 MB". */
export function attachmentWords(mime: string, size: number, lang: Lang = 'zh'): string {
  return `${fileKind(mime, lang)}${lang === 'zh' ? '，' : ', '}${sizeWords(size, lang)}`
}

/** An image the window may show itself (the others open in the system viewer). */
export const isImage = (mime: string) => mime === 'image/png' || mime === 'image/jpeg'

/** Bytes as a data: URL (the window's content security policy allows data: images, not blob:). */
export function dataUrl(bytes: ArrayBuffer, mime: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result))
    r.onerror = () => reject(r.error)
    r.readAsDataURL(new Blob([bytes], { type: mime }))
  })
}

/** The non-blank lines of a text, trimmed. */
export const linesOf = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)

/** `item` added as one more line of `text`, or taken out when it is there already (a stock
 * condition, or an item to correct, picked or unpicked). */
export function toggleLine(text: string, item: string): string {
  const lines = linesOf(text)
  return (lines.includes(item) ? lines.filter((l) => l !== item) : [...lines, item]).join('\n')
}
