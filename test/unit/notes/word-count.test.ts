import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import sinon from 'sinon';
import { countWords } from '../../../functions/notes/word-count';

describe('countWords', function () {
  const cases: [string, string, number][] = [
    // whitespace and punctuation
    ['empty', '', 0],
    ['only whitespace', ' \t\n\r\u00a0\u2003\u3000 ', 0],
    ['single spaces', 'the quick brown fox', 4],
    ['runs of mixed whitespace', '  the\tquick\n\nbrown\r\n fox\u00a0jumps\u2003over ', 6],
    ['punctuation is not a word', 'Hello, world! -- (yes) ...', 3],
    ['only punctuation', '!?.,;:—–-…()[]{}"\'«»„“ * / \\ & @ # % _ ~', 0],
    ['control characters are not words', '\u0000\u0001 word \u0007\u001b', 1],
    ['punctuation without spaces separates', 'apples,oranges;pears wait...what—really', 6],
    // emoji
    ['only emoji', '👍 🎉 ❤️ 👨‍👩‍👧‍👦 🇫🇷 🏴󠁧󠁢󠁳󠁣󠁴󠁿 1️⃣ #️⃣ ℹ️ ©️', 0],
    ['emoji between words', 'great 👍 job 🎉', 2],
    ['emoji glued to words', 'great👍job🎉', 2],
    ['ZWJ sequences and skin tones', '👩🏽‍💻 writes code 🧑‍🤝‍🧑 👋🏿', 2],
    ['a keycap is an emoji, the digit alone a word', '1️⃣ 1', 1],
    // joined words
    ['hyphenated words', 'state-of-the-art well-known e-mail', 3],
    ['Unicode hyphens', 'co\u2010operate re\u2011enter', 2],
    ['apostrophes inside words', "don't can’t l'homme aujourd'hui rock 'n' roll", 7],
    ['contractions and hyphens', "don't stop state-of-the-art", 3],
    ['abbreviations', 'e.g. i.e. U.S.A. Dr. Smith', 5],
    ['slashes and ampersands', 'and/or km/h AT&T Q&A', 4],
    ['underscores', 'snake_case __init__ CONSTANT_NAME', 3],
    ['soft hyphen', 'hy\u00adphen\u00adation', 1],
    // URLs and e-mail
    ['URLs', 'see https://example.com/a/b?x=1&y=2#top and http://localhost:8080/ or www.example.org/path?q=a,b', 6],
    ['URL inside a sentence', '(https://example.com/x). Done', 2],
    ['e-mail addresses', 'write to jane.doe@example.com or j_smith+tag@mail.example.co.uk', 5],
    ['mailto', 'mailto:someone@example.com', 1],
    // numbers, dates, versions, times
    ['numbers', 'version 2.5 of 10,000 items', 5],
    ['numbers with separators', '1,000.50 and 1.000,50 and 1 000 and 12 345 678', 7],
    ['groups after no-break and thin spaces', '1\u00a0000 1\u202f000\u202f000 1\u2009000,50', 3],
    ['space-separated digits that are not groups', '1234 567 and 1 23 and 10 1000', 8],
    ['dates', '2026-11-23 23/11/2026 23.11.2026 11/23/26', 4],
    ['versions', 'v1.2.3 1.0.0-beta.2 node@22 python3.12', 4],
    ['times', '12:30 12:30:45 9:05am 23:59:59.999', 4],
    ['signs, currencies, units', '-5 +3 $100 €1,000.50 50% 25°C', 6],
    ['a number range', '1990–2000', 1],
    // scripts written with spaces
    ['German umlauts', 'Über größere Fächer', 3],
    ['combining marks stay in their word', 'cafe\u0301 naïve', 2],
    ['stacked combining marks', 'Z\u0351\u036bA\u0334\u0335L\u0360G\u0334O\u0335 text\u0301\u0302\u0303', 2],
    ['Cyrillic', 'Привет, как дела?', 3],
    ['Greek', 'Καλημέρα κόσμε', 2],
    ['Arabic', 'مرحبا بالعالم', 2],
    ['Arabic with diacritics and digits', 'السَّلَامُ عَلَيْكُمْ ١٢٣ و 123 ٣٫١٤', 6],
    ['Persian with ZWNJ inside words', 'می‌خواهم بروم', 2],
    ['Hebrew', 'שלום עולם', 2],
    ['Hebrew acronyms and prefixes', 'צה״ל ו-צה"ל', 2],
    ['RTL text with LTR words and bidi controls', 'הוא אמר hello ואז \u202bשלום\u202c bye', 6],
    ['Devanagari', 'नमस्ते दुनिया', 2],
    ['Devanagari with dandas', 'यह अच्छा है। ठीक है॥', 5],
    ['Korean (Hangul uses spaces)', '안녕하세요 세계', 2],
    ['fullwidth Latin', 'ＡＢＣ　ｄｅｆ', 2],
    // scripts written without spaces
    ['Japanese without spaces', '私は猫が好きです', 6],
    ['Chinese without spaces', '我喜欢学习中文', 4],
    ['Chinese with punctuation', '我喜欢学习中文。你呢？', 6],
    ['Thai without spaces', 'ภาษาไทยง่ายนิดเดียว', 5],
    ['Lao', 'ຂ້ອຍຮັກພາສາລາວ', 4],
    ['Khmer', 'ខ្ញុំស្រលាញ់ភាសាខ្មែរ', 3],
    ['Myanmar', 'မြန်မာဘာသာစကား', 2],
    ['dates written in Han', '2026年11月23日', 6],
    // mixed
    ['mixed scripts with spaces', '東京 and 大阪', 3],
    ['mixed scripts without spaces', '私はiPhoneが好き', 5],
    ['Latin, Han, Thai, Arabic in one text', 'Note: 中文 ภาษาไทย مرحبا 12:30 👍', 6],
    // long and broken input
    ['a very long word', 'a'.repeat(100_000), 1],
    ['a very long hyphenated chain', Array.from({ length: 5_000 }, () => 'ab').join('-'), 1],
    ['lone surrogates are not words', 'a\ud800b \udc00 c', 3],
  ];
  for (const [what, text, expected] of cases) {
    it(`${what}: ${expected}`, function () {
      expect(countWords(text)).to.equal(expected);
    });
  }

  it('gives every code point a place (no error, whatever the input)', function () {
    const everything = Array.from({ length: 0x110000 }, (_, c) => (c >= 0xd800 && c <= 0xdfff ? String.fromCharCode(c) : String.fromCodePoint(c))).join('');
    expect(countWords(everything)).to.be.a('number').above(0);
  });

  describe('long text (a count runs on every content change, so the work must grow linearly)', function () {
    // V8's Intl.Segmenter takes time quadratic in the length of what it is given: it may only see bounded pieces.
    const MAX_PIECE = 512;
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
    const icuCount = (text: string) => [...segmenter.segment(text)].filter((s) => s.isWordLike).length;
    const repeat = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
    // A deterministic, non-periodic text made of the phrases of one script.
    const shuffled = (phrases: string[], length: number) => {
      let seed = 42;
      let text = '';
      while (text.length < length) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        text += phrases[seed % phrases.length];
      }
      return text;
    };
    let segment: sinon.SinonSpy<[string], Intl.Segments>;
    beforeEach(function () {
      segment = sinon.spy(Intl.Segmenter.prototype, 'segment');
    });
    afterEach(function () {
      sinon.restore();
    });
    const given = () => segment.getCalls().map((call) => call.args[0].length);

    it('never gives the segmenter text in a script written with spaces', function () {
      const text = repeat('The state-of-the-art v1.2.3 costs 1,000.50 €, see https://example.com. Привет мир! مرحبا 👍 ', 100_000);
      expect(countWords(text)).to.be.above(10_000);
      expect(segment.callCount).to.equal(0);
    });

    it(`gives the segmenter at most ${MAX_PIECE} characters at a time and each character at most twice`, function () {
      const text = repeat('Mixed 中文和日本語のテキストです。ภาษาไทยง่ายนิดเดียว and more words ', 100_000);
      expect(countWords(text)).to.be.above(10_000);
      expect(Math.max(...given())).to.be.at.most(MAX_PIECE);
      expect(given().reduce((a, b) => a + b, 0)).to.be.at.most(2 * text.length);
    });

    it('cuts a long run without punctuation into bounded pieces', function () {
      const text = repeat('我喜欢学习中文因为它很有意思', 200_000);
      countWords(text);
      expect(Math.max(...given())).to.be.at.most(MAX_PIECE);
      expect(given().reduce((a, b) => a + b, 0)).to.be.at.most(2 * text.length);
    });

    const scripts: [string, string[]][] = [
      ['Chinese', ['我喜欢', '学习中文', '因为', '它很有意思', '而且', '很有用', '北京', '上海的天气', '今天很好']],
      ['Japanese', ['私は', '猫が', '好きです', 'コンピューター', 'ゲームを', 'します', '東京へ', '行きました']],
      ['Thai', ['ภาษาไทย', 'ง่าย', 'นิดเดียว', 'ผมชอบ', 'กินข้าวผัด', 'มาก', 'วันนี้', 'อากาศดี']],
      ['Lao', ['ຂ້ອຍ', 'ຮັກ', 'ພາສາລາວ', 'ຫຼາຍ', 'ມື້ນີ້', 'ອາກາດດີ']],
      ['Khmer', ['ខ្ញុំ', 'ស្រលាញ់', 'ភាសាខ្មែរ', 'ណាស់', 'ថ្ងៃនេះ', 'អាកាសធាតុល្អ']],
      ['Myanmar', ['မြန်မာ', 'ဘာသာစကား', 'ကို', 'ကျွန်တော်', 'ချစ်', 'တယ်', 'ဒီနေ့']],
    ];
    for (const [script, phrases] of scripts) {
      it(`${script}: a long run cut into pieces counts as the segmenter counts it whole`, function () {
        const text = shuffled(phrases, 5_000);
        const whole = icuCount(text);
        segment.resetHistory();
        expect(countWords(text)).to.equal(whole);
        expect(Math.max(...given())).to.be.at.most(MAX_PIECE);
      });
    }
  });
});

describe('countWords: cold-start cost', () => {
  // ICU's word segmenter costs ~15 ms to create: a handler that only ever sees space-separated text
  // should not pay it when its module loads.
  it('creates Intl.Segmenter on the first run of text written without spaces, not when the module loads', () => {
    const script = `
      const Original = Intl.Segmenter;
      let created = 0;
      Intl.Segmenter = class extends Original { constructor(...args) { super(...args); created += 1; } };
      const { countWords } = await import(${JSON.stringify(pathToFileURL(join(__dirname, '../../../functions/notes/word-count.ts')).href)});
      const seen = [created];
      countWords('plain words, twice over');
      seen.push(created);
      countWords('日本語のテキスト and 中文');
      countWords('ภาษาไทย');
      seen.push(created);
      console.log(JSON.stringify(seen));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.status, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout.trim())).to.deep.equal([0, 0, 1]);
  });
});
