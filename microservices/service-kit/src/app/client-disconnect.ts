import type { FastifyReply } from 'fastify'

/**
 * An AbortSignal that aborts, with `reason`, when the client disconnects before its answer is
 * sent, so a route can drop work nobody will read. `request.raw`'s 'close' cannot tell: Node
 * emits it as soon as a request body has been read. The response's 'close' comes when the answer
 * is sent or the connection is gone, and `writableFinished` tells which.
 */
export function clientDisconnectSignal(reply: FastifyReply, reason?: unknown): AbortSignal {
  const controller = new AbortController()
  const response = reply.raw
  const onClose = () => {
    if (!response.writableFinished) controller.abort(reason)
  }
  if (response.destroyed) onClose()
  else response.once('close', onClose)
  return controller.signal
}
