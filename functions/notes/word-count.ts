const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * Counts words the way a reader would, in any script: Unicode word segmentation (ICU), so any
 * whitespace separates words, punctuation is not a word, and scripts without spaces (Chinese,
 * Japanese, Thai) are split by dictionary.
 */
export function countWords(text: string): number {
  let count = 0;
  for (const segment of segmenter.segment(text)) if (segment.isWordLike) count += 1;
  return count;
}
