// File dialogs and the system PDF viewer (Tauri plugins; they call the shell, so they live in api/).
import { open, save } from '@tauri-apps/plugin-dialog'
import { openPath } from '@tauri-apps/plugin-opener'

/** A roster file: a workbook from Excel/WPS/LibreOffice or a CSV file. */
export async function chooseRosterFile(): Promise<string | null> {
  const p = await open({
    multiple: false,
    directory: false,
    filters: [{ name: 'Excel / WPS / CSV', extensions: ['xlsx', 'xls', 'ods', 'csv', 'txt'] }],
  })
  return typeof p === 'string' ? p : null
}
export async function choosePdfTarget(defaultPath: string): Promise<string | null> {
  const p = await save({ defaultPath, filters: [{ name: 'PDF', extensions: ['pdf'] }] })
  return p ?? null
}
export async function chooseXlsxTarget(defaultPath: string): Promise<string | null> {
  const p = await save({ defaultPath, filters: [{ name: 'Excel', extensions: ['xlsx'] }] })
  return p ?? null
}
/** A PDF or a workbook: the command writes whichever the chosen file's extension says. */
export async function choosePdfOrXlsxTarget(defaultPath: string): Promise<string | null> {
  const filters = [
    { name: 'PDF', extensions: ['pdf'] },
    { name: 'Excel', extensions: ['xlsx'] },
  ]
  if (defaultPath.toLowerCase().endsWith('.xlsx')) filters.reverse()
  const p = await save({ defaultPath, filters })
  return p ?? null
}
export async function chooseDirectory(): Promise<string | null> {
  const p = await open({ directory: true, multiple: false })
  return typeof p === 'string' ? p : null
}
export const openInViewer = (path: string) => openPath(path)
