import { UNDETERMINED_LOCALE } from '@kafka-ref/shared-contracts/http'

/**
 * A profile's locale as a reader says it, in the page's own language: `en-GB` is "British
 * English" to an English reader. `und` (nobody said, e.g. registered through a v1 producer) is
 * "Not given"; a tag the browser cannot name is shown as it is.
 */
export function languageName(locale: string, displayLocale?: string): string {
  if (locale === UNDETERMINED_LOCALE) return 'Not given'
  try {
    return new Intl.DisplayNames(displayLocale, { type: 'language' }).of(locale) ?? locale
  } catch {
    return locale
  }
}
