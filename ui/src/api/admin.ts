import { call } from './core'
import type { AuditEvent } from './bindings/AuditEvent'
import type { AuditFilter } from './bindings/AuditFilter'
import type { AuditPage } from './bindings/AuditPage'
import type { DepartmentRow } from './bindings/DepartmentRow'
import type { NewUser } from './bindings/NewUser'
import type { Policy } from './bindings/Policy'
import type { RoutingRow } from './bindings/RoutingRow'
import type { UserCreated } from './bindings/UserCreated'
import type { UserRow } from './bindings/UserRow'
import type { VerifyReport } from './bindings/VerifyReport'
import type { WorkflowConfig } from './bindings/WorkflowConfig'

export const userAdd = (user: NewUser) => call<UserCreated>('user_add', { user })
export const userList = () => call<UserRow[]>('user_list')
export const userDisable = (name: string) => call<void>('user_disable', { name })
export const userUnlock = (name: string) => call<void>('user_unlock', { name })
export const userResetPassword = (name: string) => call<string>('user_reset_password', { name })

export const departmentList = (division?: string) => call<DepartmentRow[]>('department_list', { division })
export const departmentSet = (code: string, change: { name?: string; active?: boolean }) =>
  call<DepartmentRow>('department_set', { code, ...change })

export const routingList = () => call<RoutingRow[]>('routing_list')
export const routingSet = (industry: string, kind: string) => call<RoutingRow>('routing_set', { industry, kind })

export const workflowGet = (division: string) => call<WorkflowConfig>('workflow_get', { division })
export const workflowSet = (division: string, config: WorkflowConfig) =>
  call<WorkflowConfig>('workflow_set', { division, config })

export const policyGet = () => call<Policy>('policy_get')
export const policySet = (toml: string) => call<Policy>('policy_set', { toml })

export const auditLog = (q: { record?: string; limit?: number; offset?: number }) =>
  call<AuditEvent[]>('audit_log', { ...q })
/** A page of the log in Chinese, filtered by user, local days and record, with the total. */
export const auditPage = (filter: AuditFilter) => call<AuditPage>('audit_page', { filter })
/** Every event the filter keeps, written to `out` (.xlsx); returns its size in bytes. */
export const auditXlsx = (filter: AuditFilter, out: string) => call<number>('audit_xlsx', { filter, out })
export const auditVerify = () => call<VerifyReport>('audit_verify')
