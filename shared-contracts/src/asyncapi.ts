import type { z } from 'zod'
import { encode, MAX_EVENT_BYTES } from './codec/codec.ts'
import { DeadLetterMessageHeaders, eventMessageHeaders } from './codec/headers.ts'
import { createUserRegisterEvent, createUserRegisterEventV2 } from './events/create.ts'
import { STRUCTURED_CONTENT_TYPE } from './events/envelope.ts'
import { EventRegistry, type KnownEvent } from './events/registry.ts'
import { UserId } from './fields.ts'
import { ConsumerGroups, DeadLetterHeaders, EventHeaders, EventTypes, Topics } from './names.ts'
import { eventJsonSchema, toJsonSchema } from './to-json-schema.ts'

/** Where the generated AsyncAPI document is committed, relative to the package root. */
export const ASYNCAPI_FILE = 'asyncapi/asyncapi.json'

/** The only JSON Schema draft @asyncapi/parser validates besides its own AsyncAPI Schema format. */
const DRAFT_07 = 'application/schema+json;version=draft-07'
const KAFKA_BINDING = '0.5.0'

type Json = Record<string, unknown>

/** A draft-07 schema as AsyncAPI's multi-format schema object. */
const multiFormat = (schema: z.ZodType): Json => ({
  schemaFormat: DRAFT_07,
  schema: toJsonSchema(schema, 'draft-07'),
})

/** A plain AsyncAPI Schema Object (a draft-07 superset), where the spec takes no multi-format one. */
function asyncApiSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = toJsonSchema(schema, 'draft-07')
  return rest
}

const ref = (pointer: string) => ({ $ref: pointer })

const EXAMPLE_DATA = {
  userId: '0b5c1c2e-7f4a-4d8e-9c1a-3f2b6a7d8e90',
  email: 'ada@example.com',
  username: 'ada_lovelace',
  displayName: 'Ada Lovelace',
  registeredAt: '2025-01-15T10:30:00.000Z',
}
const EXAMPLE_CONTEXT = {
  correlationId: 'req-7d2f9c41',
  id: '5f3c8a9e-2b1d-4e6f-8a7b-9c0d1e2f3a4b',
  time: new Date('2025-01-15T10:30:00.000Z'),
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
}

/** One fixed, fully traced event of each version, encoded by `encode` itself, so the example is what producers send. */
const userRegisterExamples: Record<string, () => KnownEvent> = {
  1: () => createUserRegisterEvent(EXAMPLE_DATA, EXAMPLE_CONTEXT),
  2: () => createUserRegisterEventV2({ ...EXAMPLE_DATA, locale: 'en-GB' }, EXAMPLE_CONTEXT),
}

function userRegisterExample(version: string): Json[] {
  const event = userRegisterExamples[version]?.()
  if (!event) return []
  const message = encode(event)
  return [
    {
      name: 'registered',
      summary: 'Ada registers; the request was traced.',
      headers: message.headers,
      payload: JSON.parse(message.value),
    },
  ]
}

/** Message components for every registered data version of `user_register`, keyed `userRegisterV<n>`. */
function userRegisterMessages(): Record<string, Json> {
  const versions = EventRegistry[EventTypes.userRegister] as Record<string, z.ZodType>
  const messages: Record<string, Json> = {}
  for (const [version, schema] of Object.entries(versions)) {
    const type = EventTypes.userRegister
    messages[`userRegisterV${version}`] = {
      name: type,
      title: `${type} v${version}`,
      summary: 'A user registered: a CloudEvent in structured mode.',
      description: [
        `The value is the whole CloudEvent 1.0 as UTF-8 JSON (\`${STRUCTURED_CONTENT_TYPE}\`), at most ${MAX_EVENT_BYTES} bytes;`,
        `\`type\` is \`${type}\` and \`dataversion\` is ${version}, which select this schema.`,
        'Unknown fields are ignored (tolerant reader). The key is the user id, so one user’s events keep their order in one partition.',
        'The optional `traceparent`/`tracestate` attributes are the CloudEvents distributed-tracing extension;',
        'a reader treats an invalid one as absent (W3C Trace Context), never as a reason to reject the event.',
        `A message re-driven from the dead-letter topic is the original, byte for byte, with a \`${DeadLetterHeaders.redriveCount}\` header added.`,
      ].join(' '),
      contentType: STRUCTURED_CONTENT_TYPE,
      headers: multiFormat(eventMessageHeaders(type, Number(version))),
      payload: { schemaFormat: DRAFT_07, schema: eventJsonSchema(type, Number(version), schema, 'draft-07') },
      correlationId: {
        description:
          'The id of the HTTP request that caused the event (also in the `correlation_id` header).',
        location: '$message.payload#/correlationid',
      },
      bindings: {
        kafka: {
          key: { ...asyncApiSchema(UserId), description: 'The user id, the same as the event `subject`.' },
          bindingVersion: KAFKA_BINDING,
        },
      },
      examples: userRegisterExample(version),
    }
  }
  return messages
}

const deadLetterMessage: Json = {
  name: `${Topics.userRegister} dead letter`,
  title: `Unprocessable ${Topics.userRegister} message`,
  summary:
    'A message the consumer could not decode, or whose event its database refuses for good, kept as it was, with the reason.',
  description: [
    'The original key, value and headers, unchanged, so it can be inspected and replayed byte for byte.',
    'The value may be anything (that is why it is here): not JSON, not UTF-8, an unknown type or version, a schema violation,',
    'or a valid event the database refuses (`rejected_by_database`: e.g. a value too long for a narrowed column).',
  ].join(' '),
  contentType: 'application/octet-stream',
  headers: multiFormat(DeadLetterMessageHeaders),
  payload: {
    schemaFormat: DRAFT_07,
    schema: { description: 'The original message value, byte for byte.' },
  },
  bindings: {
    kafka: {
      key: { type: 'string', description: 'The original message key, unchanged (usually the user id).' },
      bindingVersion: KAFKA_BINDING,
    },
  },
}

/**
 * The AsyncAPI 3.0 document of the Kafka side: the `user_register` channel and its dead-letter
 * channel, who sends and receives on them, and each message's payload (the same JSON Schema as
 * `json-schema/`, in draft-07), headers and key. Pure, like `jsonSchemas()`: the generator script
 * writes it and a unit test compares it with the committed file. `version` is the package version.
 */
export function asyncApiDocument(version: string): Json {
  const messages = userRegisterMessages()
  const channelMessages = Object.fromEntries(
    Object.keys(messages).map((name) => [name, ref(`#/components/messages/${name}`)]),
  )
  const sentMessages = Object.keys(messages).map((name) => ref(`#/channels/userRegister/messages/${name}`))
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'kafka-ref events',
      version,
      description: [
        'The Kafka contract between user-service and profile-service, generated from the zod schemas in `@kafka-ref/shared-contracts` (do not edit by hand).',
        '',
        'Events are CloudEvents 1.0 in the Kafka binding’s structured mode. Topic and group names are the ones here, prefixed by a namespace (`KAFKA_TOPIC_NAMESPACE`, e.g. `staging-`) where environments share a cluster. No servers are listed: the brokers are deployment configuration, not contract.',
        '',
        `Headers repeat attributes for tools and tracing (\`${EventHeaders.traceparent}\` is W3C Trace Context); readers never trust them.`,
      ].join('\n'),
    },
    defaultContentType: STRUCTURED_CONTENT_TYPE,
    channels: {
      userRegister: {
        address: Topics.userRegister,
        title: Topics.userRegister,
        description: 'One registered user per message, keyed by user id.',
        messages: channelMessages,
      },
      userRegisterDeadLetter: {
        address: Topics.userRegisterDeadLetter,
        title: Topics.userRegisterDeadLetter,
        description: `Messages of \`${Topics.userRegister}\` that could not be processed. Nobody consumes it automatically: inspect, fix, then re-drive (profile-service's \`pnpm dlq\`, which reads it in its own group \`${ConsumerGroups.deadLetterRedrive}\`).`,
        messages: { deadLetter: ref('#/components/messages/userRegisterDeadLetter') },
      },
    },
    operations: {
      sendUserRegister: {
        action: 'send',
        channel: ref('#/channels/userRegister'),
        title: 'user-service publishes registrations',
        description:
          'The outbox relay publishes each event written in the registration’s transaction, after the commit; idempotent producer, `acks=all`, at least once. The event keeps its id across retries.',
        tags: [{ name: 'user-service' }],
        messages: sentMessages,
      },
      receiveUserRegister: {
        action: 'receive',
        channel: ref('#/channels/userRegister'),
        title: 'profile-service creates profiles',
        description:
          'Consumes in its own group with manual commits; stores the profile and the event id in one transaction, so a redelivered event changes nothing.',
        tags: [{ name: 'profile-service' }],
        messages: sentMessages,
        bindings: {
          kafka: {
            groupId: {
              type: 'string',
              enum: [ConsumerGroups.profileService],
              description: 'Prefixed by the namespace, like the topics.',
            },
            bindingVersion: KAFKA_BINDING,
          },
        },
      },
      sendUserRegisterDeadLetter: {
        action: 'send',
        channel: ref('#/channels/userRegisterDeadLetter'),
        title: 'profile-service dead-letters undecodable messages',
        description: 'Then commits the offset, so a bad message never blocks its partition.',
        tags: [{ name: 'profile-service' }],
        messages: [ref('#/channels/userRegisterDeadLetter/messages/deadLetter')],
      },
    },
    components: {
      messages: { ...messages, userRegisterDeadLetter: deadLetterMessage },
    },
  }
}
