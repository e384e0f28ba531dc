// Application packages (a firm's own PC -> the counter), the firm mode and attachments.
import { call } from './core'
import type { Attachment } from './bindings/Attachment'
import type { ExportReport } from './bindings/ExportReport'
import type { FirmModeReport } from './bindings/FirmModeReport'
import type { ImportReport } from './bindings/ImportReport'
import type { Mode } from './bindings/Mode'
import type { FirmInput } from './types'

export type { Attachment, ExportReport, FirmModeReport, ImportReport, Mode }

/** `office`, or `firm` on a firm's own PC (no login needed). */
export const appMode = () => call<Mode>('app_mode')
/** First run on a firm's own PC: the firm and its one user (firm mode). */
export const firstRunFirm = (firm: FirmInput, userName: string, password: string) =>
  call<FirmModeReport>('first_run_firm', { firm, userName, password })
/** Writes the application's package to `out` (chosen in the save dialog). */
export const appExport = (id: number, out: string) => call<ExportReport>('app_export', { id, out })
/** Imports the package at `path` (chosen in the open dialog) at the counter. */
export const appImport = (path: string) => call<ImportReport>('app_import', { path })
export const appAttach = (id: number, path: string) => call<Attachment>('app_attach', { id, path })
export const appAttachments = (id: number) => call<Attachment[]>('app_attachments', { id })
export const appDetach = (id: number, name: string) => call<null>('app_detach', { id, name })
