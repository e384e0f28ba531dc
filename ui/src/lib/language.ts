import { i18n, setLocale, type Locale } from '../i18n'
import { setLanguage } from '../api/session'

export const currentLocale = (): Locale => i18n.global.locale.value as Locale

/** Switches the UI and the core's messages together. */
export async function switchLanguage(to?: Locale) {
  const next: Locale = to ?? (currentLocale() === 'en' ? 'zh-CN' : 'en')
  await setLocale(next)
  try {
    await setLanguage(next === 'en' ? 'en' : 'zh')
  } catch {
    /* outside the shell, or before the core is reachable: the UI still switches */
  }
}

/** Follows the language the core remembers (app_info().language). */
export async function adoptLanguage(lang: string | undefined) {
  if (lang && lang.startsWith('en') && currentLocale() !== 'en') await setLocale('en')
}
