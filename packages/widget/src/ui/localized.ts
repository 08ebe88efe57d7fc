/** A configured text (a string, or one per locale) in the reader's language. */
export function localized(text: string | Record<string, string> | undefined, locale: string): string {
  if (!text) return '';
  return typeof text === 'string' ? text : text[locale] || text.en || Object.values(text)[0] || '';
}
