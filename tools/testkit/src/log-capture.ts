import { Writable } from 'node:stream'

/** A log destination for an app under test: collects every line so a test can search them. */
export class LogCapture {
  readonly lines: string[] = []
  readonly stream = new Writable({
    write: (chunk, _encoding, done) => {
      this.lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })

  text(): string {
    return this.lines.join('\n')
  }
}
