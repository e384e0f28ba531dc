// Element Plus tag colours for states, one place for every list and timeline.
import type { AppState } from '../api/bindings/AppState'
import type { TaskState } from '../api/bindings/TaskState'
import type { CertState } from '../api/bindings/CertState'
import type { CertStatus } from '../api/bindings/CertStatus'

export type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

const APP: Record<AppState, TagType> = {
  draft: 'info',
  in_review: 'primary',
  returned: 'warning',
  approved: 'success',
  certified: 'success',
  rejected: 'danger',
  withdrawn: 'info',
  revoked: 'danger',
}
const TASK: Record<TaskState, TagType> = {
  pending: 'primary',
  approved: 'success',
  returned: 'warning',
  rejected: 'danger',
  closed: 'info',
}
const CERT: Record<CertState, TagType> = { issued: 'success', voided: 'info', revoked: 'danger' }
const STATUS: Record<CertStatus, TagType> = {
  valid: 'success',
  voided: 'warning',
  revoked: 'danger',
  unknown: 'info',
  forged: 'danger',
}

export const appStateTag = (s: string): TagType => APP[s as AppState] ?? 'info'
export const taskStateTag = (s: string): TagType => TASK[s as TaskState] ?? 'info'
export const certStateTag = (s: string): TagType => CERT[s as CertState] ?? 'info'
export const certStatusTag = (s: string): TagType => STATUS[s as CertStatus] ?? 'info'

/** Timeline dot colours (el-timeline-item `type`). */
export const timelineType = (s: string): TagType => taskStateTag(s)

/** States a firm may still edit. */
export const editable = (s: string) => s === 'draft' || s === 'returned'
/** States a firm may withdraw from. */
export const withdrawable = (s: string) => s === 'draft' || s === 'returned' || s === 'in_review'
