/**
 * Counts words the way a reader and a word processor do, in linear time.
 *
 * V8's `Intl.Segmenter` takes time quadratic in the length of the text it is given (Node 20: 100,000
 * characters take seconds, whatever the script), so it never sees a long text here. One sticky regular
 * expression walks the text once, code point by code point:
 * - in scripts written with spaces, a word is a run of letters, digits and marks, joined across single
 *   inner hyphens, apostrophes, dots, slashes, `@`, `+`, `&`, `°` (state-of-the-art, don't, l'homme,
 *   e.g., v1.2.3, 23/11/2026, jane.doe@example.com, and/or, AT&T, 25°C) and, between digits only,
 *   commas, colons and en dashes (1,000.50, 1.000,50, 12:30:45, 1990–2000). Digit groups of three after
 *   a space join a number of one to three digits (1 000 000, also with no-break and thin spaces). A URL
 *   (`scheme://`, `www.`, `mailto:`) runs to the next whitespace. Emoji and punctuation are never words.
 * - text in scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) is
 *   handed to `Intl.Segmenter` (ICU's dictionaries) in pieces of at most `MAX_SEGMENTER_CHARS`.
 */

/** The most characters one `Intl.Segmenter.segment` call is given (its cost grows with the square of this). */
const MAX_SEGMENTER_CHARS = 256;

// Created on the first run of such text, not at module load: it costs ~15 ms (ICU's break data), a
// cold start that only sees space-separated text never pays it.
let segmenter: Intl.Segmenter | undefined;
const wordSegmenter = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' }));

// Scripts written without spaces between words, plus the Japanese marks that belong to them
// (々〆〇, the (semi-)voiced sound marks, ゠, the prolonged sound mark ー and its half-width form).
const noSpace = String.raw`[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}\u3005-\u3007\u3099-\u309C\u30A0\u30FC\uFF70]`;
// A run of such text may contain marks, zero-width (non-)joiners and spaces, CJK punctuation and
// whitespace before more of it, so ICU sees the same context it would see in the whole text.
const runStart = String.raw`[${noSpace}&&[\p{L}\p{N}]]`;
const runChar = String.raw`[${noSpace}\p{M}\u200B-\u200D\u3000-\u303F\u30FB\uFE30-\uFE4F\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65]`;
const run = String.raw`${runStart}${runChar}*(?:\p{White_Space}+${runStart}${runChar}*)*`;

// Space-separated scripts. Soft hyphen, ZWNJ, ZWJ and word joiner stay inside a word (Persian,
// Indic conjuncts); none of the joiners below is a word character, so matching never backtracks
// more than one character.
const wordStart = String.raw`[[\p{L}\p{N}]--${noSpace}]`;
const wordChar = String.raw`[[\p{L}\p{M}\p{N}\p{Pc}\u00AD\u200C\u200D\u2060]--${noSpace}]`;
const joinAny = String.raw`[\-'.\/@+\&\u00B0\u00B7\u2010\u2011\u2019\u2027\u058A\u05BE\u05F3\u05F4\u2E17\uFE63\uFF0D]`;
const joinDigits = String.raw`(?<=\p{Nd})[,:\u2013\u066B\u066C](?=\p{Nd})`;
const joinHebrew = String.raw`(?<=\p{sc=Hebrew})"(?=\p{sc=Hebrew})`; // acronyms typed with a plain quote: צה"ל
const join = `(?:${joinAny}|${joinDigits}|${joinHebrew})`;
const word = `${wordStart}${wordChar}*(?:${join}${wordChar}+)*`;
const spacedNumber = String.raw`\p{Nd}{1,3}(?:[\u0020\u00A0\u2007\u2009\u202F]\p{Nd}{3}(?!${wordChar}))+(?:${join}${wordChar}+)*`;
// The scheme is bounded so that a failed attempt costs a bounded number of steps.
const url = String.raw`(?:[A-Za-z][A-Za-z0-9+.\-]{0,31}:\/\/|[Ww]{3}\.|mailto:)[^\p{White_Space}${noSpace}]*`;
// The only emoji that are letters or digits: keycaps (1️⃣) and ℹ️.
const emoji = String.raw`[0-9]\uFE0F?\u20E3|\u2139\uFE0F`;
const other = String.raw`[^\p{L}\p{N}]+`;

// Group 1: one word; group 2: a run for the segmenter; otherwise nothing that counts.
const token = new RegExp(`${emoji}|(${url}|${spacedNumber}|${word})|(${run})|${other}`, 'vy');

export function countWords(text: string): number {
  let count = 0;
  token.lastIndex = 0;
  while (token.lastIndex < text.length) {
    const at = token.lastIndex;
    const match = token.exec(text);
    // Every code point is a letter or digit (a word or a run) or neither (`other`), so this cannot happen.
    if (match === null) throw new Error(`word count: no token at index ${at}`);
    if (match[1] !== undefined) count += 1;
    else if (match[2] !== undefined) count += countRun(text, match.index, token.lastIndex);
  }
  return count;
}

/**
 * Dictionary segmentation of the last words before a cut inside a run can depend on the text after
 * the cut (Khmer, Myanmar), so words that end this close to a cut are segmented again with what follows.
 */
const CUT_MARGIN = 64;

/** Words in text[start, end) by `Intl.Segmenter`, given at most MAX_SEGMENTER_CHARS at a time. */
function countRun(text: string, start: number, end: number): number {
  let count = 0;
  let from = start;
  while (from < end) {
    let to = Math.min(end, from + MAX_SEGMENTER_CHARS);
    if (to < end && isHighSurrogate(text.charCodeAt(to - 1))) to -= 1;
    const settled = to < end ? to - from - CUT_MARGIN : Infinity;
    let words = 0;
    let wordsBeforeResume = 0;
    let resume = -1; // where the first word that ends past `settled` starts
    for (const segment of wordSegmenter().segment(text.slice(from, to))) {
      if (resume < 0 && segment.index + segment.segment.length > settled) {
        resume = segment.index;
        wordsBeforeResume = words;
      }
      if (segment.isWordLike) words += 1;
    }
    // Resuming less than half a piece ahead would take too many calls (a word longer than the margin
    // allows): the piece is then taken as it is, at the risk of splitting that word.
    if (resume >= MAX_SEGMENTER_CHARS / 2) {
      count += wordsBeforeResume;
      from += resume;
    } else {
      count += words;
      from = to;
    }
  }
  return count;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
