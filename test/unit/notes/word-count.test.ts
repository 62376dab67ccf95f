import { expect } from 'chai';
import { countWords } from '../../../functions/notes/word-count';

describe('countWords', function () {
  const cases: [string, string, number][] = [
    ['empty', '', 0],
    ['only whitespace', ' \t\n\r\u00a0\u2003 ', 0],
    ['single spaces', 'the quick brown fox', 4],
    ['runs of mixed whitespace', '  the\tquick\n\nbrown\r\n fox\u00a0jumps\u2003over ', 6],
    ['punctuation is not a word', 'Hello, world! -- (yes) ...', 3],
    ['contractions and hyphens', "don't stop state-of-the-art", 6],
    ['numbers', 'version 2.5 of 10,000 items', 5],
    ['German umlauts', 'Über größere Fächer', 3],
    ['Cyrillic', 'Привет, как дела?', 3],
    ['Greek', 'Καλημέρα κόσμε', 2],
    ['Arabic', 'مرحبا بالعالم', 2],
    ['Japanese without spaces', '私は猫が好きです', 6],
    ['Chinese without spaces', '我喜欢学习中文', 4],
    ['Thai without spaces', 'ภาษาไทยง่ายนิดเดียว', 5],
    ['emoji are not words', 'great 👍 job 🎉', 2],
    ['combining marks stay in their word', 'cafe\u0301 naïve', 2],
  ];
  for (const [what, text, expected] of cases) {
    it(`${what}: ${expected}`, function () {
      expect(countWords(text)).to.equal(expected);
    });
  }
});
