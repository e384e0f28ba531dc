import { call } from './core'
import type { Dashboard } from './types'

export const dashboard = (from?: string, to?: string) => call<Dashboard>('dashboard', { from, to })
/** The dashboard of the period as .xlsx written to `out` (chosen in the save dialog); its size. */
export const dashboardXlsx = (out: string, from?: string, to?: string) => call<number>('dashboard_xlsx', { from, to, out })
