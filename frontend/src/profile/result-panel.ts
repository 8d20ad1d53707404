import type { ProfileResponse } from '@kafka-ref/shared-contracts/http'
import { byId } from '../dom.ts'
import { languageName } from './language.ts'

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** The panel after a successful registration: waiting for the profile, the profile, or what went wrong. */
export class ResultPanel {
  readonly #panel = byId('result-panel')
  readonly #title = byId('result-title')
  readonly #waiting = byId('waiting')
  readonly #waitingStatus = byId('waiting-status')
  readonly #card = byId('profile-card')
  readonly #retry = byId<HTMLButtonElement>('retry')
  readonly #again = byId<HTMLButtonElement>('again')

  onRetry(handler: () => void): void {
    this.#retry.addEventListener('click', handler)
  }

  onAgain(handler: () => void): void {
    this.#again.addEventListener('click', handler)
  }

  get visible(): boolean {
    return !this.#panel.hidden
  }

  /** Registered; the profile is on its way. `focus` moves the keyboard here (first time only). */
  showWaiting(message: string, focus = false): void {
    this.#show('Account created', { waiting: message, spinner: true })
    if (focus) this.#title.focus()
  }

  /** Waiting stopped (time ran out, or an answer waiting cannot fix): offer to try again. */
  showStopped(title: string, message: string): void {
    this.#show(title, { waiting: message, spinner: false, retry: true })
    this.#retry.focus()
  }

  showProfile(profile: ProfileResponse, email: string): void {
    byId('profile-avatar').textContent = initials(profile.displayName)
    byId('profile-name').textContent = profile.displayName
    byId('profile-username').textContent = `@${profile.username}`
    byId('profile-email').textContent = email
    byId('profile-locale').textContent = languageName(profile.locale)
    const created = byId<HTMLTimeElement>('profile-created')
    created.dateTime = profile.createdAt
    created.textContent = dateFormat.format(new Date(profile.createdAt))
    byId('profile-id').textContent = profile.userId
    this.#show('Welcome!', { card: true })
    this.#title.focus()
  }

  hide(): void {
    this.#panel.hidden = true
  }

  #show(
    title: string,
    parts: { waiting?: string; spinner?: boolean; retry?: boolean; card?: boolean },
  ): void {
    this.#panel.hidden = false
    this.#title.textContent = title
    this.#waiting.hidden = parts.waiting === undefined
    this.#waiting.dataset.spinning = String(parts.spinner ?? false)
    // Rewriting the same text would make screen readers announce it again.
    if (this.#waitingStatus.textContent !== (parts.waiting ?? ''))
      this.#waitingStatus.textContent = parts.waiting ?? ''
    this.#retry.hidden = !parts.retry
    this.#card.hidden = !parts.card
  }
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean)
  // Code points, not UTF-16 units: a name may start with an emoji or a letter outside the BMP.
  const first = (word: string | undefined) => Array.from(word ?? '')
  const letters =
    words.length > 1 ? [first(words[0])[0], first(words.at(-1))[0]] : first(words[0]).slice(0, 2)
  return letters.join('').toUpperCase() || '?'
}
