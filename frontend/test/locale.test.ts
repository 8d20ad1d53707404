import { describe, expect, it } from 'vitest'
import { languageName } from '../src/profile/language.ts'
import { browserLocale } from '../src/register/locale.ts'

describe('browserLocale', () => {
  it("sends the browser's language when the contract accepts it", () => {
    expect(browserLocale('en-GB')).toEqual({ locale: 'en-GB' })
    expect(browserLocale('zh-Hant-TW')).toEqual({ locale: 'zh-Hant-TW' })
  })

  it('sends none for anything else, so the registration still goes through', () => {
    expect(browserLocale(undefined)).toEqual({})
    expect(browserLocale('')).toEqual({})
    expect(browserLocale('en_GB')).toEqual({})
  })
})

describe('languageName', () => {
  it('names the language in the reader’s language', () => {
    expect(languageName('en-GB', 'en')).toBe('British English')
    expect(languageName('fr', 'en')).toBe('French')
    expect(languageName('fr', 'fr')).toBe('français')
  })

  it('says "Not given" for the undetermined locale, and shows a tag it cannot name as it is', () => {
    expect(languageName('und', 'en')).toBe('Not given')
    expect(languageName('qaa-x', 'en')).toBe('qaa-x')
  })
})
