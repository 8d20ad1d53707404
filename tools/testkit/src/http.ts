import { randomBytes } from 'node:crypto'
import type { ProfileResponse, RegisterUserRequest, RegisterUserResponse } from '@kafka-ref/shared-contracts'
import { paced } from './pace.ts'

export interface HttpResult<T> {
  status: number
  body: T
  headers: Headers
}

async function call<T>(url: string, init: RequestInit = {}): Promise<HttpResult<T>> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })
  const text = await response.text()
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  }
}

export function register(
  userServiceUrl: string,
  request: RegisterUserRequest,
  requestId?: string,
): Promise<HttpResult<RegisterUserResponse>> {
  return call<RegisterUserResponse>(`${userServiceUrl}/user/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) },
    body: JSON.stringify(request),
  })
}

export function getProfile(
  profileServiceUrl: string,
  userId: string,
  waitMs = 0,
): Promise<HttpResult<ProfileResponse>> {
  return call<ProfileResponse>(`${profileServiceUrl}/profile/${userId}?waitMs=${waitMs}`)
}

/** A valid registration body, unique per `tag` and `index` (emails and usernames are unique). */
export function userRequest(tag: string, index: number): RegisterUserRequest {
  const username = `${tag}_${index}`
  return { email: `${username}@example.test`, username, password: 'correct horse battery staple' }
}

/** `count` distinct registrations; every other one with a display name, so both kinds of profile occur. */
export function userRequests(count: number, tag = randomBytes(3).toString('hex')): RegisterUserRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    ...userRequest(tag, i),
    ...(i % 2 === 0 ? { displayName: `User ${tag} ${i}` } : {}),
  }))
}

/** Sends the registrations at a steady `perSecond`, without waiting for earlier answers. */
export function registerPaced(
  userServiceUrl: string,
  requests: RegisterUserRequest[],
  perSecond: number,
): Promise<Array<HttpResult<RegisterUserResponse>>> {
  return paced(requests.length, perSecond, (i) => register(userServiceUrl, requests[i]!))
}
