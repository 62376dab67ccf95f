// Word-count time by text length: it must grow linearly (a count runs on every content change).
// Standalone: `npx tsx bench/word-count.ts`; on another Node: `npx -y -p node@22 node --import tsx bench/word-count.ts`.
import { pathToFileURL } from 'node:url';
import { countWords } from '../functions/notes/word-count';

const paragraphs = [
  "The state-of-the-art release v1.2.3 shipped on 2026-11-23 at 12:30; it costs 1,000.50 EUR (1.000,50 in Germany), see https://example.com/notes?id=7 or write to jane.doe@example.com. Don't panic 👍 ",
  '东京和大阪是日本的大城市，我喜欢学习中文因为它很有意思。私は猫が好きですが、犬も大好きです。',
  'ภาษาไทยง่ายนิดเดียว ผมชอบกินข้าวผัดมาก ',
  'مرحبا بالعالم، كيف حالك؟ Привет, как дела? Καλημέρα κόσμε. नमस्ते दुनिया। 🎉👨‍👩‍👧 ',
];
const worstCases: [string, string][] = [
  ['Han, no punctuation', '我喜欢学习中文因为它很有意思而且很有用'],
  ['Thai, no spaces', 'ภาษาไทยง่ายนิดเดียวผมชอบกินข้าวผัดมาก'],
  ['English', 'The quick brown fox jumps over the lazy dog, again and again. '],
];

function textOf(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/** Median milliseconds of five counts (after one warm-up) and the count. */
function time(text: string): { ms: number; words: number } {
  const words = countWords(text);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    countWords(text);
    runs.push(performance.now() - started);
  }
  return { ms: runs.sort((a, b) => a - b)[2]!, words };
}

export function wordCountLines(): string[] {
  const lines = [`word count (node ${process.version}, median of 5; must grow linearly, 50,000 characters well under 100 ms):`];
  for (const length of [50_000, 100_000, 200_000]) {
    const { ms, words } = time(textOf(paragraphs.join(''), length));
    lines.push(`  mixed scripts ${length.toLocaleString('en').padStart(8)} chars  ${ms.toFixed(1).padStart(7)} ms  (${words.toLocaleString('en')} words)`);
  }
  for (const [what, unit] of worstCases) {
    const { ms, words } = time(textOf(unit, 50_000));
    lines.push(`  ${what.padEnd(20)} 50,000 chars  ${ms.toFixed(1).padStart(7)} ms  (${words.toLocaleString('en')} words)`);
  }
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(wordCountLines().join('\n'));
