import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BASELINE_DIR, type Json } from '../../scripts/compat/contract.ts'
import { documentFindings } from '../../scripts/compat/document-findings.ts'
import { packageRoot } from '../../scripts/files.ts'
import { ASYNCAPI_FILE } from '../../src/asyncapi.ts'

const released = JSON.parse(await readFile(join(packageRoot, BASELINE_DIR, ASYNCAPI_FILE), 'utf8')) as Json

// biome-ignore lint/suspicious/noExplicitAny: a JSON document edited by path in each test
type Doc = any
function edited(edit: (document: Doc) => void): Json {
  const document = structuredClone(released)
  edit(document)
  return document
}

const where = (list: Awaited<ReturnType<typeof documentFindings>>) =>
  list.map(({ where, change, broken }) => [where, change.split(' ').slice(0, 2).join(' '), broken])

// Each comparison parses both documents with the official parser: seconds on a busy machine.
describe('documentFindings on the released AsyncAPI document', { timeout: 90_000 }, () => {
  it('passes the released document and additions: a new message on a channel, a new optional header', async () => {
    expect(await documentFindings(released, released)).toEqual([])
    const added = edited((document) => {
      const messages = document.components.messages
      messages.userRegisterV9 = { ...structuredClone(messages.userRegisterV1), title: 'user_register v9' }
      document.channels.userRegister.messages.userRegisterV9 = {
        $ref: '#/components/messages/userRegisterV9',
      }
      messages.userRegisterV1.headers.schema.properties.x_tenant = { type: 'string' }
    })
    expect(await documentFindings(released, added)).toEqual([])
  })

  it('fails what @asyncapi/diff classifies as breaking: a renamed topic, a content type, a channel gone', async () => {
    const after = edited((document) => {
      document.channels.userRegister.address = 'user_registered'
      document.components.messages.userRegisterV1.contentType = 'application/json'
      delete document.channels.userRegisterDeadLetter
      delete document.operations.sendUserRegisterDeadLetter
    })
    const both = ['released consumers', 'released events']
    expect(where(await documentFindings(released, after)).sort()).toEqual([
      ['asyncapi /channels/userRegister/address', 'edit', both],
      ['asyncapi /channels/userRegister/messages/userRegisterV1/contentType', 'edit', both],
      ['asyncapi /channels/userRegisterDeadLetter', 'remove', both],
      ['asyncapi /operations/sendUserRegisterDeadLetter', 'remove', both],
    ])
  })

  it('fails what it leaves unclassified outside schemas, such as the consumer group', async () => {
    const after = edited((document) => {
      document.operations.receiveUserRegister.bindings.kafka.groupId.enum = ['profiles']
    })
    expect(await documentFindings(released, after)).toEqual([
      {
        where: 'asyncapi /operations/receiveUserRegister/bindings/kafka/groupId/enum/0',
        change: 'edit',
        broken: ['released consumers', 'released events'],
        note: '@asyncapi/diff leaves it unclassified: counted as breaking',
      },
    ])
  })

  it('fails a narrowed enum in a message schema: the dead-letter reasons', async () => {
    const after = edited((document) => {
      const reason = document.components.messages.userRegisterDeadLetter.headers.schema.properties.dlq_reason
      reason.enum = reason.enum.filter((value: string) => value !== 'oversized')
    })
    expect(where(await documentFindings(released, after))).toEqual([
      [
        'asyncapi channels.userRegisterDeadLetter.messages.deadLetter headers.schema',
        'edit /properties/dlq_reason/enum',
        ['released events'],
      ],
    ])
  })

  it('fails a changed Kafka key schema', async () => {
    const after = edited((document) => {
      delete document.components.messages.userRegisterV1.bindings.kafka.key.format
    })
    expect(where(await documentFindings(released, after))).toEqual([
      [
        'asyncapi channels.userRegister.messages.userRegisterV1 bindings.kafka.key',
        'remove /format',
        ['released consumers'],
      ],
    ])
  })
})
