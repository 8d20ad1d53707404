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
  'DeadLetterReasons',
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
  'LOCALE_PATTERN',
  'Locale',
  'MAX_EVENT_BYTES',
  'PASSWORD_MAX_LENGTH',
  'PASSWORD_MIN_LENGTH',
  'PROBLEM_CONTENT_TYPE',
  'PROFILE_MAX_WAIT_MS',
  'Password',
  'ProblemDetails',
  'ProfileParams',
  'ProfileProblemCodes',
  'ProfileQuery',
  'ProfileResponse',
  'PublicUserResponse',
  'RegisterUserRequest',
  'RegisterUserResponse',
  'SPEC_VERSION',
  'STRUCTURED_CONTENT_TYPE',
  'Timestamp',
  'Text',
  'TraceParent',
  'TraceState',
  'UNDETERMINED_LOCALE',
  'Topics',
  'USERNAME_PATTERN',
  'UserId',
  'UserIdParams',
  'UserRegisterDataV1',
  'UserRegisterEventV1',
  'UserRegisterDataV2',
  'UserRegisterEventV2',
  'Username',
  'WELL_FORMED_PATTERN',
  'asyncApiDocument',
  'createUserRegisterEvent',
  'createUserRegisterEventV2',
  'decode',
  'encode',
  'envelopeOf',
  'jsonSchemas',
  'namespaced',
  'readHeader',
  'serializeJsonSchema',
  'systemTopics',
  'upcastUserRegister',
  'withoutInvalidTraceContext',
]

describe('public API', () => {
  it('exports exactly the agreed runtime names', () => {
    expect(Object.keys(contracts).sort()).toEqual([...PUBLIC_API].sort())
  })
})
