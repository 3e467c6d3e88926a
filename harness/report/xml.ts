// Minimal XML 1.0 escaping: kernel logs carry bytes XML cannot hold at all, so those become visible \xNN text.

// Everything outside XML 1.0's Char production: C0 controls but tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const TEXT_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
// In attributes a parser turns raw tab, LF and CR into spaces, so they travel as character references.
const ATTRIBUTE_ENTITIES: Record<string, string> = { ...TEXT_ENTITIES, '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;' };

/** Replaces characters XML 1.0 cannot represent, even as references, with `\xNN` / `\uNNNN` text. */
export function toXmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, (c) => {
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function escapeXmlText(text: string): string {
  return toXmlChars(text).replace(/[&<>\r]/g, (c) => TEXT_ENTITIES[c]!);
}

export function escapeXmlAttribute(text: string): string {
  return toXmlChars(text).replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ENTITIES[c]!);
}

/** `<name a="1" b="2">` with escaped values; undefined attributes are left out. */
export function openTag(name: string, attributes: Record<string, string | number | undefined>, selfClosing = false): string {
  const rendered = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`)
    .join('');
  return `<${name}${rendered}${selfClosing ? '/>' : '>'}`;
}

/** `<name …>text</name>`, or a self-closing tag when there is no text. */
export function element(name: string, attributes: Record<string, string | number | undefined>, text?: string): string {
  if (text === undefined || text === '') return openTag(name, attributes, true);
  return `${openTag(name, attributes)}${escapeXmlText(text)}</${name}>`;
}
