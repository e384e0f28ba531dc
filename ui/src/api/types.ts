// Types of command arguments and results that ts-rs does not generate (yet). Keep them in step with
// docs/ipc.md; each should move to bindings/ once the Rust side exports it.
import type { Actor } from './bindings/Actor'
import type { Person } from './bindings/Person'
import type { Plan } from './bindings/Plan'
import type { Headcounts } from './bindings/Headcounts'
import type { SuppliesOnHand } from './bindings/SuppliesOnHand'
import type { Commitment } from './bindings/Commitment'

/** `login`/`whoami` return the core's Actor. */
export type Session = Actor

export type AppInfo = {
  version: string
  db_path: string
  initialised: boolean
  clock_override: string | null
  language: string
}

/** firm.json of cli.md (firm_register / firm_update input). */
export type FirmInput = {
  credit_code: string
  name: string
  division: string
  township: string
  address: string
  industry: string
  legal_representative: string
  principal: Person
  contact: Person
  staff_total: number | null
  city_managed: boolean
}

/** plan.json of cli.md; a draft may be partial. */
export type PlanInput = {
  category?: string
  planned_date?: string
  headcount?: Partial<Headcounts>
  measures?: string[]
  measures_note?: string
  supplies?: Partial<SuppliesOnHand>
  emergency_plan?: string
  commitment?: Partial<Commitment>
}
export type { Plan }

/** The certificate record (reopen_core::service::Certificate), generated. */
export type { Certificate as CertificateRecord } from './bindings/Certificate'

export type { Verification as VerificationResult } from './bindings/Verification'

export type BatchPrintResult = {
  printed: { number: string; file: string }[]
  failed: { number: string; error: string }[]
}

export type PrintProgress = { done: number; total: number; number: string }

export type { Reference as ReferenceData } from './bindings/Reference'
/** One bar/slice: a key (state, division code, section letter, category code), its label, a count. */
export type { Count as CountRow } from './bindings/Count'
export type { DayPoint as TrendRow } from './bindings/DayPoint'
export type { OverdueRow } from './bindings/OverdueRow'
export type { Dashboard } from './bindings/Dashboard'
