import { Locale } from '@kafka-ref/shared-contracts/http'

/**
 * The locale a registration sends: the browser's language (`navigator.language`), when it is a
 * tag the contract accepts. Otherwise none, and the user-service records `und` (undetermined): an
 * odd browser setting must never stop anyone from registering.
 */
export function browserLocale(language: string | undefined): { locale?: string } {
  const parsed = Locale.safeParse(language)
  return parsed.success ? { locale: parsed.data } : {}
}
