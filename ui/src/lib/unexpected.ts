// The message for a script error, in Element Plus's toast: loaded on first use, so that the login
// screen (which does without Element Plus) stays light.
import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'

export function showUnexpected(message: string) {
  ElMessage.error({ message, duration: 0, showClose: true })
}
