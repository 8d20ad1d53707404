import { CloudEvent, Kafka, type KafkaMessage } from 'cloudevents'
import { describe, expect, it } from 'vitest'
import { decode, encode } from '../../src/codec/codec.ts'
import { createUserRegisterEvent } from '../../src/events/create.ts'
import { STRUCTURED_CONTENT_TYPE } from '../../src/events/envelope.ts'
import { EventHeaders } from '../../src/names.ts'
import {
  CORRELATION_ID,
  EVENT_ID,
  TIME,
  TRACEPARENT,
  TRACESTATE,
  USER_ID,
  userData,
  userRegisterEvent,
} from '../support/events.ts'

/**
 * Interoperability with the official CloudEvents SDK for JavaScript and its Kafka binding: a
 * consumer or producer built on it, in any service, must read our messages and write messages we
 * read. The SDK takes header values as strings (convert a client's Buffers first).
 */
describe('our encode → the CloudEvents SDK', () => {
  const event = createUserRegisterEvent(userData({ displayName: 'Ada' }), {
    correlationId: CORRELATION_ID,
    id: EVENT_ID,
    time: new Date(TIME),
    traceparent: TRACEPARENT,
    tracestate: TRACESTATE,
  })
  const encoded = encode(event)
  const message: KafkaMessage<string> = { ...encoded, body: encoded.value }

  it('is recognised as a structured-mode CloudEvent', () => {
    expect(Kafka.isEvent(message)).toBe(true)
    expect(message.headers[EventHeaders.contentType]).toBe(STRUCTURED_CONTENT_TYPE)
  })

  it('reads the same attributes, extensions, data and key, and finds the event valid', () => {
    const read = Kafka.toEvent(message) as CloudEvent<unknown>
    expect(read.validate()).toBe(true) // the SDK's own JSON Schema of CloudEvents 1.0
    expect({ ...read }).toMatchObject({
      specversion: '1.0',
      id: EVENT_ID,
      type: 'user_register',
      source: '/user-service',
      subject: USER_ID,
      time: TIME,
      datacontenttype: 'application/json',
      data: userData({ displayName: 'Ada' }),
      // Extension attributes:
      correlationid: CORRELATION_ID,
      dataversion: 1,
      traceparent: TRACEPARENT,
      tracestate: TRACESTATE,
      // The Kafka key, as the binding exposes it:
      partitionkey: USER_ID,
    })
  })
})

describe('the CloudEvents SDK → our decode', () => {
  const sdkEvent = (extra: Record<string, unknown> = {}) =>
    new CloudEvent({
      id: EVENT_ID,
      type: 'user_register',
      source: '/user-service',
      subject: USER_ID,
      time: TIME,
      datacontenttype: 'application/json',
      dataversion: 1,
      correlationid: CORRELATION_ID,
      traceparent: TRACEPARENT,
      partitionkey: USER_ID, // the binding's key mapper puts it in the Kafka key
      data: userData(),
      ...extra,
    })

  it('decodes a structured-mode message the SDK wrote, as Kafka delivers it (bytes)', () => {
    const message = Kafka.structured(sdkEvent())
    expect(message.key).toBe(USER_ID)
    expect(message.headers[EventHeaders.contentType]).toMatch(/^application\/cloudevents\+json/)
    const result = decode({ value: new TextEncoder().encode(message.value) })
    if (!result.ok) throw result.error
    // `partitionkey` is an extension this contract does not know: ignored, like any unknown field.
    expect(result.event).toStrictEqual(userRegisterEvent({ traceparent: TRACEPARENT }))
  })

  it('holds an SDK event to the same contract as ours (here: datacontenttype is required)', () => {
    const { datacontenttype: _, ...withoutContentType } = { ...sdkEvent() }
    const message = Kafka.structured(new CloudEvent(withoutContentType))
    const result = decode({ value: message.value })
    expect(!result.ok && [result.error.reason, result.error.issues[0]?.path]).toEqual([
      'schema_violation',
      ['datacontenttype'],
    ])
  })

  it('does not accept binary mode: the value is only the data, so it is not_an_event (dead-lettered)', () => {
    const message = Kafka.binary(sdkEvent())
    expect(message.headers.ce_type).toBe('user_register')
    const result = decode({ value: JSON.stringify(message.value) })
    expect(!result.ok && result.error.reason).toBe('not_an_event')
  })
})
