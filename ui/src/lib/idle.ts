// Locks the screen after a period without input.
export const IDLE_LIMIT_MS = 15 * 60 * 1000

const EVENTS = ['mousemove', 'mousedown', 'keydown', 'wheel', 'touchstart'] as const

/** Calls `onIdle` once after `limitMs` without input; returns a stop function. */
export function watchIdle(onIdle: () => void, limitMs = IDLE_LIMIT_MS, target: Window = window): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let last = 0
  const arm = () => {
    clearTimeout(timer)
    timer = setTimeout(onIdle, limitMs)
  }
  const poke = () => {
    const now = Date.now()
    if (now - last < 1000) return // mousemove storms
    last = now
    arm()
  }
  EVENTS.forEach((e) => target.addEventListener(e, poke, { passive: true }))
  arm()
  return () => {
    clearTimeout(timer)
    EVENTS.forEach((e) => target.removeEventListener(e, poke))
  }
}
