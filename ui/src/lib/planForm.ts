// The application wizard's form model ↔ plan.json (cli.md). Empty inputs are left out, so a draft
// may be saved half-filled; the core checks completeness at submission.
import type { Plan } from '../api/bindings/Plan'
import type { Headcounts } from '../api/bindings/Headcounts'
import type { PlanInput } from '../api/types'

export const HEADCOUNT_KEYS = [
  'planned',
  'local',
  'elsewhere',
  'key_area',
  'key_area_observed_14d',
  'under_observation',
  'symptomatic',
] as const
export const SUPPLY_KEYS = ['masks', 'thermometers', 'disinfectant_litres', 'gloves'] as const

type HeadcountKey = (typeof HEADCOUNT_KEYS)[number]
type SupplyKey = (typeof SUPPLY_KEYS)[number]

export type PlanForm = {
  category: string
  planned_date: string
  headcount: Record<HeadcountKey, number | null>
  measures: string[]
  measures_note: string
  supplies: Record<SupplyKey, number | null>
  emergency_plan: string
  commitment: { signed_by: string; date: string; accepted: boolean }
}

export function emptyPlanForm(): PlanForm {
  return {
    category: '',
    planned_date: '',
    headcount: Object.fromEntries(HEADCOUNT_KEYS.map((k) => [k, null])) as PlanForm['headcount'],
    measures: [],
    measures_note: '',
    supplies: Object.fromEntries(SUPPLY_KEYS.map((k) => [k, null])) as PlanForm['supplies'],
    emergency_plan: '',
    commitment: { signed_by: '', date: '', accepted: false },
  }
}

/** A stored plan into the form. Zero counts of a fresh draft show as empty inputs. */
export function planToForm(plan: Plan, fresh = false): PlanForm {
  const f = emptyPlanForm()
  f.category = plan.category ?? ''
  f.planned_date = plan.planned_date ?? ''
  for (const k of HEADCOUNT_KEYS) f.headcount[k] = fresh && plan.headcount[k] === 0 ? null : plan.headcount[k]
  f.measures = [...plan.measures]
  f.measures_note = plan.measures_note
  for (const k of SUPPLY_KEYS) f.supplies[k] = fresh && plan.supplies[k] === 0 ? null : plan.supplies[k]
  f.emergency_plan = plan.emergency_plan
  if (plan.commitment) f.commitment = { ...plan.commitment }
  return f
}

function counts<K extends string>(rec: Record<K, number | null>, keys: readonly K[]): Partial<Record<K, number>> | undefined {
  const out: Partial<Record<K, number>> = {}
  let any = false
  for (const k of keys) {
    const v = rec[k]
    if (v !== null && v !== undefined && !Number.isNaN(v)) {
      out[k] = v
      any = true
    }
  }
  return any ? out : undefined
}

/** The form as plan.json: only what was filled in. */
export function formToPlanJson(f: PlanForm): PlanInput {
  const p: PlanInput = {}
  if (f.category) p.category = f.category
  if (f.planned_date) p.planned_date = f.planned_date
  const h = counts(f.headcount, HEADCOUNT_KEYS)
  if (h) p.headcount = h
  if (f.measures.length) p.measures = [...f.measures]
  if (f.measures_note.trim()) p.measures_note = f.measures_note
  const s = counts(f.supplies, SUPPLY_KEYS)
  if (s) p.supplies = s
  if (f.emergency_plan.trim()) p.emergency_plan = f.emergency_plan
  const c = f.commitment
  // A commitment is sent once it is started, so the core can say what is missing from it.
  if (c.signed_by.trim() || c.accepted) {
    p.commitment = { signed_by: c.signed_by.trim(), accepted: c.accepted }
    if (c.date) p.commitment.date = c.date
  }
  return p
}

/** 核定复工人数 may not exceed the planned headcount less key-area staff still under observation. */
export function maxApprovable(h: Headcounts): number {
  const notCleared = Math.max(0, h.key_area - h.key_area_observed_14d)
  return Math.max(0, h.planned - notCleared)
}

/** Masks on hand cover this many days at the policy's rate (null when nobody returns). */
export function supplyDays(masks: number, planned: number, perPersonPerDay = 2): number | null {
  if (!planned || !perPersonPerDay) return null
  return Math.floor(masks / (planned * perPersonPerDay))
}
