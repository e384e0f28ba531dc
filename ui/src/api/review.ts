import { call } from './core'
import type { Application } from './bindings/Application'
import type { Decision } from './bindings/Decision'
import type { QueueFilter } from './bindings/QueueFilter'
import type { QueueRow } from './bindings/QueueRow'
import type { PhrasesPolicy } from './bindings/PhrasesPolicy'
import type { RosterFilter } from './bindings/RosterFilter'
import type { RosterPage } from './bindings/RosterPage'

function queueFilter(f: Partial<QueueFilter>): QueueFilter {
  return {
    pending: f.pending ?? null,
    category: f.category ?? null,
    overdue: f.overdue ?? null,
    green_channel: f.green_channel ?? null,
    search: f.search ?? null,
    limit: f.limit ?? null,
    offset: f.offset ?? null,
  }
}
export const reviewQueue = (f: Partial<QueueFilter>) => call<QueueRow[]>('review_queue', { filter: queueFilter(f) })
/** How many tasks the queue holds under the filter (the pager's 共 N 条). */
export const reviewQueueCount = (f: Partial<QueueFilter>) =>
  call<number>('review_queue_count', { filter: queueFilter({ ...f, limit: null, offset: null }) })
export const reviewDecide = (id: number, decision: Decision) =>
  call<Application>('review_decide', { id, decision })
/** The policy's stock opinions (by verdict) and standard conditions. */
export const reviewPhrases = () => call<PhrasesPolicy>('review_phrases')
/** One page of the roster (masked), only one health concern when `filter.health` is set. */
export const reviewRoster = (id: number, filter: Partial<RosterFilter>) =>
  call<RosterPage>('review_roster', { id, filter: { health: filter.health ?? null, limit: filter.limit ?? null, offset: filter.offset ?? null } })
/** An attachment's bytes (shown in the window when it is an image). */
export const attachmentContent = (id: number, name: string) => call<ArrayBuffer>('app_attachment_content', { id, name })
/** A PDF attachment written to a private temporary file; its path, for the system viewer. */
export const attachmentOpen = (id: number, name: string) => call<string>('app_attachment_open', { id, name })
