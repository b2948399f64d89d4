/** Text clean-up: HTML tags and entities (the aclImdb reviews' `<br />`), whitespace, word counts. */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”',
};

/** Replaces HTML tags (`<br />`, `<i>`, `</a>`) with spaces and decodes entities (`&amp;`, `&#39;`, `&#x27;`). */
export function cleanHtml(text: string): string {
  const untagged = text.replace(/<\/?[a-zA-Z][^<>]*>/g, ' ');
  if (!untagged.includes('&')) return untagged;
  return untagged.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (entity, name: string) => {
    if (name[0] !== '#') return NAMED_ENTITIES[name] ?? entity;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

/** Trims and turns every run of whitespace (newlines included) into one space. */
export function normalizeWhitespace(text: string): string {
  // Replacing only runs and non-space whitespace is several times faster than /\s+/g on long texts.
  return text.replace(/\s\s+|[^\S ]/g, ' ').trim();
}

/** The words of a normalized text (split on single spaces), the first `limit` of them at most; none for an empty text. */
export function words(text: string, limit?: number): string[] {
  return text === '' ? [] : text.split(' ', limit);
}

/** Whether a normalized text has at least `n` words (without splitting all of a long text). */
export function hasWords(text: string, n: number): boolean {
  return words(text, n).length >= n;
}
