import { call } from './core'
import type { Application } from './bindings/Application'
import type { AppFilter } from './bindings/AppFilter'
import type { AppRow } from './bindings/AppRow'
import type { RosterView } from './bindings/RosterView'
import type { RosterRecord } from './bindings/RosterRecord'
import type { SubmissionInfo } from './bindings/SubmissionInfo'
import type { Diff } from './bindings/Diff'
import type { PlanInput } from './types'

export const appCreate = (creditCode: string, plan: PlanInput) =>
  call<Application>('app_create', { creditCode, plan })
export const appUpdate = (id: number, plan: PlanInput, expectVersion?: number) =>
  call<Application>('app_update', { id, plan, expectVersion })
/** The roster template (.xlsx) written to `out`; returns its size in bytes. */
export const rosterTemplate = (out: string) => call<number>('roster_template', { out })
/** The roster file at `path` returned with its bad cells marked, written to `out` (.xlsx). */
export const rosterErrorReport = (path: string, out: string) => call<number>('roster_error_report', { path, out })
export const appRosterImport = (id: number, path: string, expectVersion?: number) =>
  call<Application>('app_roster_import', { id, path, expectVersion })
export const appSubmit = (id: number, expectVersion?: number) =>
  call<Application>('app_submit', { id, expectVersion })
export const appWithdraw = (id: number) => call<Application>('app_withdraw', { id })
export const appShow = (id: number) => call<Application>('app_show', { id })
export const appList = (f: Partial<AppFilter>) => {
  const filter: AppFilter = {
    state: f.state ?? null,
    division: f.division ?? null,
    department: f.department ?? null,
    firm: f.firm ?? null,
    limit: f.limit ?? null,
    offset: f.offset ?? null,
  }
  return call<AppRow[]>('app_list', { filter })
}
/** How many applications `appList` shows with the same filter over all its pages (共 N 条). */
export const appCount = (f: Partial<AppFilter>) =>
  call<number>('app_count', {
    filter: { state: f.state ?? null, division: f.division ?? null, department: f.department ?? null, firm: f.firm ?? null, limit: null, offset: null },
  })
export const appRoster = (id: number, limit?: number, offset?: number) =>
  call<RosterView[]>('app_roster', { id, limit, offset })
export const appRosterReveal = (id: number) => call<RosterRecord[]>('app_roster_reveal', { id })
export const appVersions = (id: number) => call<SubmissionInfo[]>('app_versions', { id })
export const appDiff = (id: number, from?: number, to?: number) => call<Diff>('app_diff', { id, from, to })
/** Writes the application form PDF to `path`; returns its size in bytes. */
/** The suggested file name of an application's printed form (复工复产申请审批表). */
export const formFileName = (applicationId: number) => `复工复产申请审批表-${applicationId}.pdf`
export const formPrint = (applicationId: number, path: string) =>
  call<number>('form_print', { applicationId, path })

/** A counter document: 受理回执, 退回补正告知书, 不予批准决定书. */
export type NoticeKind = 'receipt' | 'return' | 'rejection'
/** Writes a counter document of the application to `path` (.pdf); returns its size in bytes. */
export const noticePrint = (applicationId: number, kind: NoticeKind, path: string) =>
  call<number>('notice_print', { applicationId, kind, path })
