/**
 * Kafka headers as a client such as node-rdkafka hands them over: one single-entry object per
 * header, in order (a name may repeat), each value text or bytes.
 */
export type HeaderList = ReadonlyArray<Readonly<Record<string, string | Uint8Array>>>

/** Not fatal: a header is a hint (see `EventHeaders`), so bad bytes become U+FFFD, not an error. */
const utf8 = new TextDecoder('utf-8')

/** The first value of header `name` as text, or undefined without one. Headers are hints: `decode` never reads them. */
export function readHeader(headers: HeaderList | undefined, name: string): string | undefined {
  const value = headers?.find((header) => Object.hasOwn(header, name))?.[name]
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : utf8.decode(value)
}
