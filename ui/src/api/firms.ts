import { call } from './core'
import type { Firm } from './bindings/Firm'
import type { FirmRow } from './bindings/FirmRow'
import type { FirmInput } from './types'

export const firmRegister = (firm: FirmInput) => call<Firm>('firm_register', { firm })
export const firmUpdate = (creditCode: string, firm: FirmInput, expectVersion?: number) =>
  call<Firm>('firm_update', { creditCode, firm, expectVersion })
export const firmShow = (creditCode: string) => call<Firm>('firm_show', { creditCode })
export const myFirm = () => call<Firm | null>('my_firm')
export const firmList = (q: { division?: string; search?: string; limit?: number; offset?: number }) =>
  call<FirmRow[]>('firm_list', { ...q })
/** How many firms `firmList` shows with the same county and search over all its pages (共 N 条). */
export const firmCount = (q: { division?: string; search?: string }) => call<number>('firm_count', { ...q })
/** How many daily reports of the firm `dailyList` shows over all its pages (共 N 条). */
export const dailyCount = (creditCode: string) => call<number>('daily_count', { creditCode })
