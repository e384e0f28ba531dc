// Paging over commands that take limit/offset and return a plain array (no total): ask for one row
// more than a page to know whether there is a next page.
import { reactive } from 'vue'
import { toApiError } from '../api/core'

export function splitPage<T>(rows: T[], size: number): { rows: T[]; hasMore: boolean } {
  return { rows: rows.slice(0, size), hasMore: rows.length > size }
}

export function usePaged<T>(fetch: (limit: number, offset: number) => Promise<T[]>, size = 20) {
  const state = reactive({
    rows: [] as T[],
    page: 1,
    size,
    hasMore: false,
    loading: false,
    error: '',
  })
  async function load(page = state.page) {
    state.loading = true
    state.error = ''
    try {
      const got = await fetch(state.size + 1, (page - 1) * state.size)
      const p = splitPage(got, state.size)
      state.rows = p.rows as typeof state.rows
      state.hasMore = p.hasMore
      state.page = page
    } catch (e) {
      state.error = toApiError(e).message
    } finally {
      state.loading = false
    }
  }
  return { state, load, reset: () => load(1) }
}
