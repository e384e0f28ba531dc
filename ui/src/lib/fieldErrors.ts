// Maps the core's field errors (`headcount.local`, `roster[5].id_number`) onto form items.
import { reactive } from 'vue'
import { ApiError, toApiError, type ApiFieldError } from '../api/core'
import { sentenceSeparator } from '../i18n'

/** field path → message (several messages on one field are joined). */
export function fieldErrorMap(fields: ApiFieldError[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of fields) {
    if (!f.field) continue
    out[f.field] = out[f.field] ? `${out[f.field]}${sentenceSeparator()}${f.message}` : f.message
  }
  return out
}

/** The errors whose field no form item shows (they go into a summary above the form). */
export function unmatchedFields(fields: ApiFieldError[], known: readonly string[]): ApiFieldError[] {
  return fields.filter((f) => !known.includes(f.field))
}

export type RowError = { row: number; column: string; message: string }
const ROW_RE = /^roster\[(\d+)\](?:\.(.+))?$/
/** Row-level roster errors (`roster[5].id_number`) as table rows, sorted by row. */
export function rosterRowErrors(fields: ApiFieldError[]): RowError[] {
  const rows: RowError[] = []
  for (const f of fields) {
    const m = ROW_RE.exec(f.field)
    if (m) rows.push({ row: Number(m[1]), column: m[2] ?? '', message: f.message })
  }
  return rows.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column))
}

/** Which step of the application wizard shows a field (0 firm … 4 commitment); -1 unknown. */
export function stepOfField(field: string): number {
  const head = field.split(/[.[]/)[0]
  switch (head) {
    case 'firm':
    case 'credit_code':
      return 0
    case 'category':
    case 'planned_date':
    case 'headcount':
      return 1
    case 'measures':
    case 'measures_note':
    case 'supplies':
    case 'emergency_plan':
      return 2
    case 'roster':
      return 3
    case 'commitment':
      return 4
    default:
      return -1
  }
}

/**
 * Reactive field errors for one form: `errors['principal.phone']` is bound to the form item's
 * `error` prop; `general` holds the message and the errors no item shows.
 */
export function useFieldErrors(known: readonly string[] = []) {
  const state = reactive({
    errors: {} as Record<string, string>,
    general: '' as string,
    extra: [] as ApiFieldError[],
  })
  return {
    state,
    /** The message for a field ('' when none): use as `:error="fe.of('headcount.local')"`. */
    of: (field: string) => state.errors[field] ?? '',
    clear() {
      state.errors = {}
      state.general = ''
      state.extra = []
    },
    /** Shows an error; returns it (normalised) so the caller can branch on `code`. */
    set(e: unknown): ApiError {
      const err = toApiError(e)
      state.errors = fieldErrorMap(err.fields)
      state.general = err.message
      state.extra = known.length ? unmatchedFields(err.fields, known) : []
      return err
    },
  }
}
