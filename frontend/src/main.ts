import type { RegisterUserResponse } from '@kafka-ref/shared-contracts/http'
import { fetchProfile, registerUser } from './api/services.ts'
import { config } from './config.ts'
import { failureMessage, seconds, timedOutMessage, waitingMessage } from './messages.ts'
import { ResultPanel } from './profile/result-panel.ts'
import { waitForProfile } from './profile/wait-for-profile.ts'
import { fieldErrorsFromProblem, validateForm } from './register/fields.ts'
import { browserLocale } from './register/locale.ts'
import { RegisterForm } from './register/register-form.ts'

// Performance marks: submit → profile shown is what a user waits for (tools/bench reads it).
const MARK_SUBMIT = 'register:submit'
const MARK_SHOWN = 'register:profile-shown'
const MEASURE = 'register:submit-to-profile'

const form = new RegisterForm()
const result = new ResultPanel()
/** A 429/503 asked us to wait until then before registering again. */
let retryAt = 0
/** The user just registered, whose profile the page waits for or shows. */
let current: RegisterUserResponse | undefined
/** The wait for that profile: aborted when the user starts over. */
let waiting: AbortController | undefined

result.onRetry(() => {
  if (current) void showProfileOf(current, false)
})
result.onAgain(() => {
  waiting?.abort()
  current = undefined
  result.hide()
  form.show()
  form.reset()
})

form.onSubmit(async () => {
  performance.clearMarks()
  performance.mark(MARK_SUBMIT)
  const validation = validateForm(form.values())
  if (!validation.ok) {
    form.showErrors(validation.errors)
    form.setStatus('Please correct the highlighted fields.', 'error')
    return
  }
  const waitMs = retryAt - Date.now()
  if (waitMs > 0) {
    form.setStatus(`Please wait ${seconds(waitMs)} before trying again.`, 'error')
    return
  }
  form.showErrors({})
  form.setStatus('Creating your account…')
  form.setBusy(true)
  try {
    const request = { ...validation.request, ...browserLocale(navigator.language) }
    const response = await registerUser(config.userServiceUrl, request)
    if (response.ok) {
      form.setStatus('')
      // Not awaited: the form is done, the wait belongs to the result panel.
      void showProfileOf(response.value, true)
      return
    }
    if (response.kind === 'problem') {
      if (response.retryAfterS !== undefined) retryAt = Date.now() + response.retryAfterS * 1000
      const errors = fieldErrorsFromProblem(response.problem)
      if (Object.keys(errors).length > 0) {
        form.showErrors(errors)
        form.setStatus('Please correct the highlighted fields.', 'error')
        return
      }
    }
    form.setStatus(failureMessage(response, navigator.onLine), 'error')
  } finally {
    form.setBusy(false)
  }
})

/** Registered: hide the form and wait for the profile the registration event creates. */
async function showProfileOf(user: RegisterUserResponse, firstTime: boolean): Promise<void> {
  waiting?.abort()
  const controller = new AbortController()
  waiting = controller
  current = user
  form.hide()
  result.showWaiting(waitingMessage({ kind: 'pending' }), firstTime)
  try {
    const outcome = await waitForProfile({
      budgetMs: config.profileWaitBudgetMs,
      signal: controller.signal,
      fetchProfile: (waitMs, signal) => fetchProfile(config.profileServiceUrl, user.id, waitMs, signal),
      onWaiting: (reason) => result.showWaiting(waitingMessage(reason)),
    })
    if (outcome.kind === 'ready') {
      result.showProfile(outcome.profile, user.email)
      performance.mark(MARK_SHOWN)
      performance.measure(MEASURE, MARK_SUBMIT, MARK_SHOWN)
    } else if (outcome.kind === 'timed-out') {
      result.showStopped('Still creating your profile', timedOutMessage(outcome.last))
    } else {
      result.showStopped('Could not load your profile', failureMessage(outcome.failure, navigator.onLine))
    }
  } catch (error) {
    // Aborted because the user started over: the new state is already on screen.
    if (!controller.signal.aborted) throw error
  }
}
