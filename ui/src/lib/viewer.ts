// Opens a file we just wrote in the system viewer. The file is already saved, so a missing or
// failing viewer is a warning, never an error that hides the success.
import { ElMessage } from 'element-plus'
import { openInViewer } from '../api/desktop'
import { toApiError } from '../api/core'
import { i18n } from '../i18n'

export async function showInViewer(path: string): Promise<void> {
  try {
    await openInViewer(path)
  } catch (e) {
    // The launcher's own words (English, a program name and an exit status) go to the log only.
    console.warn('cannot open', path, toApiError(e).message)
    ElMessage.warning(i18n.global.t('common.cannotOpen', { file: path }))
  }
}
