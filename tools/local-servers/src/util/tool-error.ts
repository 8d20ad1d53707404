/**
 * An error whose message is meant for a person at a terminal: the CLIs print only the message
 * (no stack) and exit 1, so the message itself must say what is wrong and how to fix it.
 */
export class ToolError extends Error {
  override readonly name = 'ToolError'
}

export function isToolError(error: unknown): error is ToolError {
  return error instanceof ToolError
}
