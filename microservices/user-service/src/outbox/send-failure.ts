/**
 * Tells a batch the broker refuses (resending it as it is will fail again) from a transient failure
 * (broker down, leader moving, timeout), from the errors @platformatic/kafka reports.
 */

/** Broker answers that resending the same records will not change. */
const REJECTING_API_ERRORS = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'INVALID_REQUIRED_ACKS',
  'POLICY_VIOLATION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_COMPRESSION_TYPE',
  // The producer's sequence is out of step with the broker: only a new producer id (which the
  // producer takes before it sends other records) gets past it, never a resend.
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
])

/** Client errors that mean the same: an unknown topic in metadata, a record it cannot serialise, bad credentials. */
const REJECTING_CLIENT_ERRORS = new Set(['PLT_KFK_USER', 'PLT_KFK_AUTHENTICATION'])

interface KafkaErrorLike {
  code?: unknown
  apiId?: unknown
  message?: unknown
  serverErrorMessage?: unknown
  errors?: unknown
}

/** The innermost errors: @platformatic/kafka nests one per retry and one per broker or partition. */
function leaves(error: unknown, found: KafkaErrorLike[] = []): KafkaErrorLike[] {
  if (typeof error !== 'object' || error === null) return found
  const { errors } = error as KafkaErrorLike
  if (Array.isArray(errors) && errors.length > 0) {
    for (const inner of errors) leaves(inner, found)
  } else {
    found.push(error as KafkaErrorLike)
  }
  return found
}

function rejects(leaf: KafkaErrorLike): boolean {
  return (
    (typeof leaf.apiId === 'string' && REJECTING_API_ERRORS.has(leaf.apiId)) ||
    (typeof leaf.code === 'string' && REJECTING_CLIENT_ERRORS.has(leaf.code))
  )
}

/**
 * True when part of the send was refused for good: resending the whole batch cannot succeed,
 * whatever else failed beside it.
 */
export function isRejection(error: unknown): boolean {
  return leaves(error).some(rejects)
}

/** One line naming the distinct causes (Kafka error names where there are some), for logs and readiness. */
export function describeSendError(error: unknown, maxLength = 500): string {
  const causes = new Set<string>()
  for (const leaf of leaves(error)) {
    if (typeof leaf.apiId === 'string') {
      const detail = typeof leaf.serverErrorMessage === 'string' ? `: ${leaf.serverErrorMessage}` : ''
      causes.add(`${leaf.apiId}${detail}`)
    } else {
      causes.add(typeof leaf.message === 'string' && leaf.message ? leaf.message : String(leaf))
    }
  }
  const line = [...causes].join('; ') || String(error)
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line
}
