import { describe, expect, it } from 'vitest'
import { appStateTag, certStateTag, certStatusTag, editable, taskStateTag, withdrawable } from '../lib/stateTag'
import type { AppState } from '../api/bindings/AppState'
import type { TaskState } from '../api/bindings/TaskState'

const APP_STATES: AppState[] = ['draft', 'in_review', 'returned', 'approved', 'rejected', 'withdrawn', 'certified', 'revoked']
const TASK_STATES: TaskState[] = ['pending', 'approved', 'rejected', 'returned', 'closed']

describe('state → tag colour', () => {
  it('colours every application state by meaning', () => {
    expect(Object.fromEntries(APP_STATES.map((s) => [s, appStateTag(s)]))).toEqual({
      draft: 'info',
      in_review: 'primary',
      returned: 'warning',
      approved: 'success',
      rejected: 'danger',
      withdrawn: 'info',
      certified: 'success',
      revoked: 'danger',
    })
  })
  it('colours decisions like the verdicts', () => {
    expect(TASK_STATES.map(taskStateTag)).toEqual(['primary', 'success', 'danger', 'warning', 'info'])
  })
  it('colours certificates and verification results', () => {
    expect(certStateTag('issued')).toBe('success')
    expect(certStateTag('voided')).toBe('info')
    expect(certStateTag('revoked')).toBe('danger')
    expect(certStatusTag('valid')).toBe('success')
    expect(certStatusTag('forged')).toBe('danger')
  })
  it('falls back to info for a state it does not know', () => {
    expect(appStateTag('future_state')).toBe('info')
  })
  it('knows which states the firm may edit or withdraw', () => {
    expect(APP_STATES.filter(editable)).toEqual(['draft', 'returned'])
    expect(APP_STATES.filter(withdrawable)).toEqual(['draft', 'in_review', 'returned'])
  })
})
