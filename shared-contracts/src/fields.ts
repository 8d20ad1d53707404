import { z } from 'zod'

/**
 * Well-formed Unicode: no lone UTF-16 surrogate. JSON can spell one (`"Ada\\ud800"` is valid JSON
 * in valid UTF-8) and a JavaScript string holds it, but it is no text. Accepted, a registration
 * succeeded (the name stored with U+FFFD in its place) and published an event PostgreSQL refuses
 * to turn into text, which blocked the consumer's partition; and UTF-8 encoders replace it
 * silently, so two different passwords would hash alike. `String.prototype.isWellFormed` as a
 * pattern, so the published JSON Schema says it too: it reads the same with or without the `u`
 * flag (no lookahead, no `\p{…}`), so other languages' validators can run it.
 */
export const WELL_FORMED_PATTERN = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/
/** A string of text: every free-text field of the events and request bodies is one. */
export const Text = z
  .string()
  .regex(WELL_FORMED_PATTERN, 'must be well-formed Unicode text (no lone UTF-16 surrogate)')

/** Field schemas shared by events and HTTP bodies, so a limit is defined once. */
export const UserId = z.uuid()
/**
 * RFC 5321 caps a forward path at 256 octets, i.e. 254 characters for the address itself, and a
 * local part at 64; RFC 1035 a domain label at 63. zod's pattern checks neither part's length, and
 * the published `format: email` promises both.
 */
export const Email = z
  .email()
  .max(254)
  .refine((email) => {
    const at = email.lastIndexOf('@')
    return (
      at <= 64 &&
      email
        .slice(at + 1)
        .split('.')
        .every((label) => label.length <= 63)
    )
  }, 'must have at most 64 characters before the @ and at most 63 in each domain label')
export const USERNAME_PATTERN = /^[a-zA-Z0-9_]{3,32}$/
export const Username = z
  .string()
  .regex(USERNAME_PATTERN, 'must be 3-32 characters: letters, digits or underscore')
/**
 * PostgreSQL cannot store U+0000 in text: accepted here, it became a 500 at registration and a
 * message no consumer could ever store (a blocked partition instead of a dead letter).
 */
export const DisplayName = Text.trim()
  .min(1)
  .max(64)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is refused
  .regex(/^[^\u0000]*$/, 'must not contain the NUL character')
/** OWASP ASVS: at least 12 characters, and long passphrases (at least 64) allowed. */
export const PASSWORD_MIN_LENGTH = 12
export const PASSWORD_MAX_LENGTH = 128
export const Password = Text.min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH)
export const Timestamp = z.iso.datetime({ offset: true })
/**
 * A BCP 47 language tag (RFC 5646) as browsers give it (`navigator.language`, `Accept-Language`):
 * a language of 2-3 letters, then subtags of 1-8 letters or digits (`en`, `en-GB`, `zh-Hant-TW`).
 * At most 35 characters, RFC 5646's recommended buffer. ASCII only, so it is well-formed text.
 */
export const LOCALE_PATTERN = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/
/** BCP 47's own tag for "undetermined": the locale of a user who did not say. */
export const UNDETERMINED_LOCALE = 'und'
export const Locale = z
  .string()
  .max(35)
  .regex(LOCALE_PATTERN, 'must be a BCP 47 language tag, e.g. en or en-GB')
