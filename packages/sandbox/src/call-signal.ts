/**
 * A per-call signal that follows `signal`. Engine clients add an abort listener per request and never remove
 * it; giving each request its own derived signal keeps a long-lived run signal from collecting them.
 */
export function callSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
  return signal ? AbortSignal.any([signal]) : undefined;
}
