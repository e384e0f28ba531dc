// Daily reports after reopening, statistics, the daily bulletin and the .xlsx exports.
import { call } from './core'
import type { AppFilter } from './bindings/AppFilter'
import type { ComplianceDay } from './bindings/ComplianceDay'
import type { ComplianceRow } from './bindings/ComplianceRow'
import type { DailyReportRow } from './bindings/DailyReportRow'
import type { DailyStatus } from './bindings/DailyStatus'
import type { DayStatus } from './bindings/DayStatus'
import type { Dim } from './bindings/Dim'
import type { Stats } from './bindings/Stats'

/** What a firm reports for one day (report.json of `reopen daily file`). */
export type DailyReportInput = {
  date: string
  staff_on_site: number | null
  fever: number | null
  under_observation: number | null
  masks_remaining: number | null
  notes: string
}

export const dailyFile = (creditCode: string, report: DailyReportInput) =>
  call<DailyReportRow>('daily_file', { creditCode, report })
export const dailyList = (creditCode: string, limit?: number, offset?: number) =>
  call<DailyReportRow[]>('daily_list', { creditCode, limit, offset })
export const dailyDue = (creditCode: string) => call<ComplianceRow[]>('daily_due', { creditCode })
export const dailyStatus = (q: { date?: string; status?: DayStatus; limit?: number; offset?: number }) =>
  call<DailyStatus>('daily_status', q)
export const dailyCompliance = (from: string, to: string) =>
  call<ComplianceDay[]>('daily_compliance', { from, to })
export const dailyFlags = () => call<DailyReportRow[]>('daily_flags')
export const dailyFlagHandle = (reportId: number, note: string) =>
  call<DailyReportRow>('daily_flag_handle', { reportId, note })
/** The whole day's compliance list as .xlsx, written to `out`. */
export const dailyStatusXlsx = (out: string, date?: string) => call<number>('daily_status_xlsx', { date, out })

export const stats = (q: { from?: string; to?: string; by: Dim[] }) => call<Stats>('stats', q)
export const statsXlsx = (q: { from?: string; to?: string; by: Dim[] }, out: string) =>
  call<number>('stats_xlsx', { ...q, out })
/** The daily bulletin 复工复产日报: a PDF or an .xlsx, by the extension of `out`. */
export const bulletinExport = (out: string, date?: string) => call<number>('bulletin_export', { date, out })
/** Every application matching the filter (all pages), as .xlsx. */
export const appListXlsx = (filter: AppFilter, out: string) => call<number>('app_list_xlsx', { filter, out })
/** An application's roster, ID and phone numbers masked, as .xlsx. */
export const rosterXlsx = (applicationId: number, out: string) => call<number>('roster_xlsx', { applicationId, out })
