// The guide (办事指南) and its blank templates: no login needed.
import { call } from './core'
import type { Guide } from './bindings/Guide'

export type { Guide }
export const guide = () => call<Guide>('guide')
/** The blank roster (.xlsx) written to `out`; its size. */
export const guideRosterTemplate = (out: string) => call<number>('guide_roster_template', { out })
/** The blank commitment (PDF) written to `out`; its size. */
export const guideCommitmentTemplate = (out: string) => call<number>('guide_commitment_template', { out })
