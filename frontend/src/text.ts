/** A message as a sentence: capital first letter, closing full stop. */
export function sentence(message: string): string {
  const text = message.trim()
  if (!text) return ''
  const capital = text[0]!.toUpperCase() + text.slice(1)
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`
}
