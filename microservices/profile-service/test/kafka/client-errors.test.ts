import rdkafka from 'node-rdkafka'
import { describe, expect, it } from 'vitest'
import { errorCodeName, fatalErrorCode, fatalLogReason, isFatalError } from '../../src/kafka/client-errors.ts'

const { ERR__FATAL, ERR__TRANSPORT } = rdkafka.CODES.ERRORS

// librdkafka's FATAL log line for a fenced static member (rd_kafka_set_fatal_error0 and rdkafka_cgrp.c).
const FENCED_LINE =
  'Fatal error: Broker: Static consumer fenced by other consumer with same group.instance.id: ' +
  'Fatal consumer error: Broker: Static consumer fenced by other consumer with same group.instance.id'

describe('librdkafka client errors', () => {
  it('name a code, never repeat the text (which may name a broker)', () => {
    const error = Object.assign(new Error('broker 10.0.0.7:9092 transport failure'), { code: ERR__TRANSPORT })
    expect(errorCodeName(error)).toBe('ERR__TRANSPORT')
    expect(errorCodeName(new Error('no code'))).toBe('UNKNOWN')
    expect(errorCodeName(undefined)).toBe('UNKNOWN')
  })

  it('take the cause of a fatal error from its FATAL log line only', () => {
    expect(fatalLogReason({ fac: 'FATAL', message: `[thrd:main]: ${FENCED_LINE}` })).toBe(FENCED_LINE)
    expect(fatalLogReason({ fac: 'FATAL', message: FENCED_LINE })).toBe(FENCED_LINE)
    expect(fatalLogReason({ fac: 'CGRPOP', message: FENCED_LINE })).toBeUndefined()
  })

  it('tell a fenced static member from any other fatal error', () => {
    expect(fatalErrorCode(FENCED_LINE)).toBe('ERR_FENCED_INSTANCE_ID')
    expect(fatalErrorCode('Fatal error: Local: Gap-less ordering would not be guaranteed')).toBe('ERR__FATAL')
  })

  it('recognise a fatal error by its code or its flag', () => {
    expect(isFatalError({ code: ERR__FATAL })).toBe(true)
    expect(isFatalError({ code: -1, isFatal: true })).toBe(true)
    expect(isFatalError({ code: ERR__TRANSPORT })).toBe(false)
    expect(isFatalError(undefined)).toBe(false)
  })
})
