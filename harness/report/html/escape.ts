// HTML escaping for text and attribute values; kernel logs carry < > & and quotes, serial logs carry terminal control bytes.

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for quoted attribute values alike; terminal control bytes never reach the page. */
export function escapeHtml(text: string): string {
  return text.replace(ANSI_SEQUENCE, '').replace(CONTROL_IN_TEXT, '').replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/** Terminal escape sequences (colours, cursor queries) and C0 controls other than tab: a browser would show them as boxes. */
const ANSI_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
/** Multi-line text (messages, hints) keeps its newlines. */
const CONTROL_IN_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/** Makes one line of a log safe to show: no escape sequences, no control bytes, no carriage returns. */
export function cleanLogLine(line: string): string {
  return line.replace(ANSI_SEQUENCE, '').replace(CONTROL, '');
}

/** An id usable in a URL fragment: run ids hold '@' and '.', which are fine, and anything else odd becomes '_'. */
export function fragmentId(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/[^\w.@-]/g, '_')}`;
}
