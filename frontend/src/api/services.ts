import {
  PROFILE_MAX_WAIT_MS,
  ProfileResponse,
  type RegisterUserRequest,
  RegisterUserResponse,
} from '@kafka-ref/shared-contracts/http'
import { type ApiResult, callJson } from './http.ts'

/** scrypt at the production cost takes about half a second; a queue in front of it adds more. */
const REGISTER_TIMEOUT_MS = 15_000
/** Beyond the server's own wait: the answer still has to travel. */
const PROFILE_TIMEOUT_MARGIN_MS = 5_000

export function registerUser(
  userServiceUrl: string,
  request: RegisterUserRequest,
  signal?: AbortSignal,
): Promise<ApiResult<RegisterUserResponse>> {
  return callJson(
    `${userServiceUrl}/user/register`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) },
    RegisterUserResponse,
    { signal, timeoutMs: REGISTER_TIMEOUT_MS },
  )
}

/** `GET /profile/:id?waitMs=`: the server holds the request until the profile exists or `waitMs` passes. */
export function fetchProfile(
  profileServiceUrl: string,
  userId: string,
  waitMs: number,
  signal?: AbortSignal,
): Promise<ApiResult<ProfileResponse>> {
  const wait = Math.max(0, Math.min(PROFILE_MAX_WAIT_MS, Math.round(waitMs)))
  return callJson(
    `${profileServiceUrl}/profile/${encodeURIComponent(userId)}?waitMs=${wait}`,
    { method: 'GET' },
    ProfileResponse,
    { signal, timeoutMs: wait + PROFILE_TIMEOUT_MARGIN_MS },
  )
}
