import { ProfileResponse } from '@kafka-ref/shared-contracts'
import fastJson from 'fast-json-stringify'
import type { FastifyReply } from 'fastify'
import { z } from 'zod'

/** What a `200` of `GET /profile/:id` is sent as (a string with this type is sent as is, never serialized again). */
const PROFILE_JSON_CONTENT_TYPE = 'application/json; charset=utf-8'

// Compiled once from the response's schema: writes exactly its properties, in order, with no
// per-reply schema walk (the zod serializer encodes the value against the schema on every reply).
const stringify = fastJson(z.toJSONSchema(ProfileResponse, { target: 'draft-07' }) as never)

/** The profile as served, ready to be cached and sent. */
// A string rather than a Buffer: Node writes a string body together with the headers in one
// write, a Buffer as a second chunk of a writev.
export const profileJson = (profile: ProfileResponse): string => stringify(profile)

/** Sent as is: Fastify serializes no string, so the route's zod serializer never runs for a 200. */
export const sendProfileJson = (reply: FastifyReply, json: string) =>
  reply.header('content-type', PROFILE_JSON_CONTENT_TYPE).send(json)
