import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ResponseError,
  TimeoutError,
  UserError,
} from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { describeSendError, isRejection } from '../../src/outbox/send-failure.ts'

// The errors are @platformatic/kafka's own classes, nested the way its producer nests them:
// one MultipleErrors per retried operation, one per destination broker, one ResponseError per request.
const PRODUCE_API = 0
const response = (code: number, message: string | null = null) =>
  new ResponseError(PRODUCE_API, 9, { '/responses/0/partitions/0': [code, message] }, {})
const retried = (...errors: Error[]) => new MultipleErrors(`produce failed ${errors.length} times.`, errors)
const perBroker = (...errors: Error[]) => new MultipleErrors('Producing messages failed.', errors)

describe('isRejection', () => {
  it('is false for failures that pass: broker down, timeouts, leaders moving', () => {
    expect(isRejection(new NetworkError('Connection to 127.0.0.1:9092 failed.'))).toBe(false)
    expect(isRejection(new TimeoutError('Request timed out.'))).toBe(false)
    expect(isRejection(perBroker(retried(response(6), response(6), response(7))))).toBe(false)
    expect(isRejection(new Error('something else'))).toBe(false)
    expect(isRejection(undefined)).toBe(false)
  })

  it('is true when the broker or the client refuses the records themselves', () => {
    expect(isRejection(new UserError('Unknown topic t.'))).toBe(true)
    expect(isRejection(new AuthenticationError('SASL authentication failed.'))).toBe(true)
    expect(isRejection(perBroker(response(29)))).toBe(true) // TOPIC_AUTHORIZATION_FAILED
    expect(isRejection(perBroker(retried(response(10))))).toBe(true) // MESSAGE_TOO_LARGE
  })

  it('is true when a refusal comes after transient failures or beside them', () => {
    expect(isRejection(retried(new NetworkError('down'), response(29)))).toBe(true)
    expect(isRejection(perBroker(new TimeoutError('slow'), response(29)))).toBe(true)
  })
})

describe('describeSendError', () => {
  it('names each distinct cause once, Kafka error names first', () => {
    const error = perBroker(retried(response(29, 'no ACL'), response(29, 'no ACL')), new NetworkError('down'))
    expect(describeSendError(error)).toBe('TOPIC_AUTHORIZATION_FAILED: no ACL; down')
    expect(describeSendError(new UserError('Unknown topic t.'))).toBe('Unknown topic t.')
  })

  it('stays within its length', () => {
    expect(describeSendError(new Error('x'.repeat(1000)), 50)).toHaveLength(50)
  })
})
