import { call } from './core'
import type { Application } from './bindings/Application'
import type { Decision } from './bindings/Decision'
import type { QueueFilter } from './bindings/QueueFilter'
import type { QueueRow } from './bindings/QueueRow'

export const reviewQueue = (f: Partial<QueueFilter>) => {
  const filter: QueueFilter = {
    pending: f.pending ?? null,
    category: f.category ?? null,
    overdue: f.overdue ?? null,
    green_channel: f.green_channel ?? null,
    limit: f.limit ?? null,
    offset: f.offset ?? null,
  }
  return call<QueueRow[]>('review_queue', { filter })
}
export const reviewDecide = (id: number, decision: Decision) =>
  call<Application>('review_decide', { id, decision })
