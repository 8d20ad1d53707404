import { describe, expect, it } from 'vitest'
import * as contracts from '../src/index.ts'

/**
 * Services are written against this list. Adding an export means adding it here; removing or
 * renaming one breaks them, which is why this test fails.
 */
const PUBLIC_API = [
  'ASYNCAPI_FILE',
  'ConsumerGroups',
  'DEFAULT_PARTITIONS',
  'DeadLetterHeaders',
  'DecodeError',
  'DecodeErrorReasons',
  'DisplayName',
  'EVENT_CONTENT_TYPE',
  'Email',
  'EnvelopeAttributes',
  'EventHeaders',
  'EventRegistry',
  'EventSources',
  'EventTypes',
  'FieldError',
  'JSON_SCHEMA_DIR',
  'MAX_EVENT_BYTES',
  'PASSWORD_MAX_LENGTH',
  'PASSWORD_MIN_LENGTH',
  'PROBLEM_CONTENT_TYPE',
  'PROFILE_MAX_WAIT_MS',
  'Password',
  'ProblemDetails',
  'ProfileParams',
  'ProfileQuery',
  'ProfileResponse',
  'PublicUserResponse',
  'RegisterUserRequest',
  'RegisterUserResponse',
  'SPEC_VERSION',
  'STRUCTURED_CONTENT_TYPE',
  'Timestamp',
  'TraceParent',
  'TraceState',
  'Topics',
  'USERNAME_PATTERN',
  'UserId',
  'UserIdParams',
  'UserRegisterDataV1',
  'UserRegisterEventV1',
  'Username',
  'asyncApiDocument',
  'createUserRegisterEvent',
  'decode',
  'encode',
  'envelopeOf',
  'jsonSchemas',
  'namespaced',
  'readHeader',
  'serializeJsonSchema',
  'systemTopics',
  'withoutInvalidTraceContext',
]

describe('public API', () => {
  it('exports exactly the agreed runtime names', () => {
    expect(Object.keys(contracts).sort()).toEqual([...PUBLIC_API].sort())
  })
})
