/** What the relay has done since it started (read by readiness; the shape metrics are built on). */
export interface RelayState {
  /** Rows this instance sent and marked published. */
  published: number
  /** Produce calls that failed (each resend counts). */
  sendFailures: number
  /** Rows this instance released with a back-off because Kafka kept rejecting them. */
  releasedRows: number
  /** Claims whose rows another instance took over before this one had finished with them. */
  leasesLost: number
  /** Unpublished rows released after rejections, by any instance (refreshed every poll interval). */
  failingRows: number
  /** The latest send failure, one line. */
  lastSendError: string | null
}

/** Kept by the relay and updated in place by its delivery and upkeep. */
export function emptyRelayState(): RelayState {
  return {
    published: 0,
    sendFailures: 0,
    releasedRows: 0,
    leasesLost: 0,
    failingRows: 0,
    lastSendError: null,
  }
}
