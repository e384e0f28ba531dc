import { createI18n } from 'vue-i18n'
import zhCN, { type Messages } from './zh-CN'
import { setWireLanguage } from '../api/core'

export type Locale = 'zh-CN' | 'en'

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN } as Record<Locale, Messages>,
  missingWarn: false,
  fallbackWarn: false,
})

/** Switches the UI language; English messages are loaded on first use. */
export async function setLocale(l: Locale) {
  if (l === 'en' && !i18n.global.availableLocales.includes('en')) {
    const en = (await import('./en')).default
    i18n.global.setLocaleMessage('en', en as Messages)
  }
  i18n.global.locale.value = l
  setWireLanguage(l === 'en' ? 'en' : 'zh')
  document.documentElement.lang = l
}

export const wireLang = (l: Locale): 'zh' | 'en' => (l === 'en' ? 'en' : 'zh')

/** How a list of sentences is joined in the current language: ；in Chinese, "; " in English. */
export const sentenceSeparator = (): string => (i18n.global.locale.value === 'en' ? '; ' : '；')
