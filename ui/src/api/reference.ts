import { call } from './core'
import type { ReferenceData } from './types'

let cached: Promise<ReferenceData> | null = null
/** Divisions, industries, categories and measures; fetched once per run. */
export function reference(): Promise<ReferenceData> {
  if (!cached) {
    cached = call<ReferenceData>('reference').catch((e) => {
      cached = null
      throw e
    })
  }
  return cached
}
export function forgetReference() {
  cached = null
}
