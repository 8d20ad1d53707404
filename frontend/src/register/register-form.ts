import { byId } from '../dom.ts'
import { FIELDS, type Field, type FieldErrors, type FormValues } from './fields.ts'

export type StatusTone = 'info' | 'error'

/** The registration form's DOM: values, per-field errors, the status line and the busy state. */
export class RegisterForm {
  readonly #panel = byId('register-panel')
  readonly #form = byId<HTMLFormElement>('register-form')
  readonly #submit = byId<HTMLButtonElement>('submit')
  readonly #status = byId('form-status')
  readonly #inputs = Object.fromEntries(
    FIELDS.map((field) => [field, byId<HTMLInputElement>(field)]),
  ) as Record<Field, HTMLInputElement>
  readonly #errors = Object.fromEntries(FIELDS.map((field) => [field, byId(`${field}-error`)])) as Record<
    Field,
    HTMLElement
  >
  #busy = false

  constructor() {
    // An error belongs to what was typed: editing the field clears it.
    for (const field of FIELDS) {
      this.#inputs[field].addEventListener('input', () => this.#setError(field, undefined))
    }
  }

  onSubmit(handler: () => void): void {
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault()
      if (!this.#busy) handler()
    })
  }

  values(): FormValues {
    return Object.fromEntries(FIELDS.map((field) => [field, this.#inputs[field].value])) as FormValues
  }

  /** Shows these errors (clearing the others) and moves focus to the first invalid field. */
  showErrors(errors: FieldErrors): void {
    for (const field of FIELDS) this.#setError(field, errors[field])
    const first = FIELDS.find((field) => errors[field])
    if (first) this.#inputs[first].focus()
  }

  setStatus(text: string, tone: StatusTone = 'info'): void {
    this.#status.textContent = text
    this.#status.dataset.tone = tone
  }

  /**
   * The button stays focusable while busy (aria-disabled, not disabled): a disabled button drops
   * keyboard focus to the page's start.
   */
  setBusy(busy: boolean): void {
    this.#busy = busy
    this.#form.setAttribute('aria-busy', String(busy))
    this.#submit.setAttribute('aria-disabled', String(busy))
    this.#submit.textContent = busy ? 'Creating account…' : 'Create account'
  }

  show(): void {
    this.#panel.hidden = false
  }

  hide(): void {
    this.#panel.hidden = true
  }

  reset(): void {
    this.#form.reset()
    this.showErrors({})
    this.setStatus('')
    this.#inputs.email.focus()
  }

  #setError(field: Field, message: string | undefined): void {
    this.#errors[field].textContent = message ?? ''
    if (message) this.#inputs[field].setAttribute('aria-invalid', 'true')
    else this.#inputs[field].removeAttribute('aria-invalid')
  }
}
