import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import { call } from './core'
import type { PrintRecord } from './bindings/PrintRecord'
import type { BatchPrintResult, CertificateRecord, PrintProgress, VerificationResult } from './types'

export const certIssue = (applicationId: number) => call<CertificateRecord>('cert_issue', { applicationId })
export const certList = (q: { state?: string; unprinted: boolean; limit?: number; offset?: number }) =>
  call<CertificateRecord[]>('cert_list', { ...q })
/** How many certificates `certList` shows over all its pages (共 N 条). */
export const certCount = (q: { state?: string; unprinted: boolean }) => call<number>('cert_count', { ...q })
export const certPrint = (number: string, path: string) => call<PrintRecord>('cert_print', { number, path })
export const certPrintBatch = (dir: string) => call<BatchPrintResult>('cert_print_batch', { dir })
export const certVoid = (number: string, reason: string) => call<CertificateRecord>('cert_void', { number, reason })
export const certRevoke = (number: string, reason: string) =>
  call<CertificateRecord>('cert_revoke', { number, reason })
export const verify = (input: string) => call<VerificationResult>('verify', { input })

/** Subscribes to the batch printer's `print-progress` events. */
export function onPrintProgress(cb: (p: PrintProgress) => void): Promise<UnlistenFn> {
  return listen<PrintProgress>('print-progress', (e) => cb(e.payload))
}
