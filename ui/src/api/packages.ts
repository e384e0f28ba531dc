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

/** An application package to import (the open dialog). */
export async function choosePackageFile(): Promise<string | null> {
  const { open } = await import('@tauri-apps/plugin-dialog')
  const p = await open({ multiple: false, directory: false, filters: [{ name: '申报包 / Package', extensions: ['reopen', 'json'] }] })
  return typeof p === 'string' ? p : null
}
/** Where to write a package (the save dialog). */
export async function choosePackageTarget(defaultPath: string): Promise<string | null> {
  const { save } = await import('@tauri-apps/plugin-dialog')
  return (await save({ defaultPath, filters: [{ name: '申报包 / Package', extensions: ['reopen'] }] })) ?? null
}
/** A scanned document to attach: PDF, JPEG or PNG. */
export async function chooseAttachmentFile(): Promise<string | null> {
  const { open } = await import('@tauri-apps/plugin-dialog')
  const p = await open({ multiple: false, directory: false, filters: [{ name: 'PDF / JPEG / PNG', extensions: ['pdf', 'jpg', 'jpeg', 'png'] }] })
  return typeof p === 'string' ? p : null
}
/** The file name the save dialog proposes for an application's package. */
export const packageFileName = (creditCode: string, id: number) => `复工申报包-${creditCode}-${id}.reopen`
