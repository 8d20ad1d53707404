import { httpError } from '@kafka-ref/service-kit'

export const EmailTaken = httpError('USER_EMAIL_TAKEN', 409, 'email is already registered')
export const UsernameTaken = httpError('USER_USERNAME_TAKEN', 409, 'username is already taken')
export const UserNotFound = httpError('USER_NOT_FOUND', 404, 'user not found')
