import { call } from './core'
import type { Dashboard } from './types'

export const dashboard = (from?: string, to?: string) => call<Dashboard>('dashboard', { from, to })
