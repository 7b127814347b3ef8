import { HTML_SEGMENTS_AT_ONCE, htmlSegments, translateHtmlSegments } from './html-segments';

describe('HTML segments', () => {
  it('keeps tags with their attributes as markup and prose as text', () => {
    expect(htmlSegments('<p title="The cat > dog">The <b>black</b> cat.</p>')).toEqual([
      { kind: 'markup', value: '<p title="The cat > dog">' },
      { kind: 'text', value: 'The ' },
      { kind: 'markup', value: '<b>' },
      { kind: 'text', value: 'black' },
      { kind: 'markup', value: '</b>' },
      { kind: 'text', value: ' cat.' },
      { kind: 'markup', value: '</p>' },
    ]);
  });

  it('decodes entities for letters and punctuation into the prose and keeps the others', () => {
    expect(htmlSegments('caf&eacute; &amp;&nbsp;t&#233; it&#39;s&lt;')).toEqual([
      { kind: 'text', value: 'café ' },
      { kind: 'markup', value: '&amp;&nbsp;' },
      { kind: 'text', value: "té it's" },
      { kind: 'markup', value: '&lt;' },
    ]);
    expect(htmlSegments('a &bogus; b')).toEqual([
      { kind: 'text', value: 'a ' },
      { kind: 'markup', value: '&bogus;' },
      { kind: 'text', value: ' b' },
    ]);
  });

  it('never treats comments, script, style or code as prose', () => {
    const html =
      '<!-- the cat --><script>if (a < b) x = "the cat";</script><style>p{}</style><code>the cat</code>Hi';
    expect(htmlSegments(html)).toEqual([
      {
        kind: 'markup',
        value:
          '<!-- the cat --><script>if (a < b) x = "the cat";</script><style>p{}</style><code>the cat</code>',
      },
      { kind: 'text', value: 'Hi' },
    ]);
  });

  it('gives back the input when the prose is not translated', () => {
    const html = '<div class="x"><p>One <a href="/a?b=1&amp;c=2">two</a>, three.</p>\n<br/></div>';
    expect(
      htmlSegments(html)
        .map((s) => s.value)
        .join(''),
    ).toBe(html);
  });

  it('translates each prose segment alone, keeping whitespace and escaping the result', async () => {
    const translated = await translateHtmlSegments('<p> Hello <i>world</i></p>', (text) =>
      Promise.resolve(`[${text}] & <x>`),
    );
    expect(translated).toBe('<p> [Hello] &amp; &lt;x&gt; <i>[world] &amp; &lt;x&gt;</i></p>');
  });
});

describe('htmlSegments on tags that never close', () => {
  it('reads them as prose, in time linear in their length', () => {
    for (const unclosed of ['<a ', '<a', '<!', '<?', '<a b=c ']) {
      const html = unclosed.repeat(50_000);
      const started = Date.now();
      const segments = htmlSegments(html);
      // Quadratic, 50,000 of them took tens of seconds; linear, milliseconds.
      expect(Date.now() - started).toBeLessThan(2000);
      expect(segments.map((segment) => segment.value).join('')).toBe(html);
    }
  });
});

describe('translateHtmlSegments on many pieces of prose', () => {
  it('has at most HTML_SEGMENTS_AT_ONCE engine calls running, and keeps every piece in place', async () => {
    const html = Array.from({ length: 50 }, (_, i) => `<b>w${i}</b>`).join(' ');
    let running = 0;
    let most = 0;
    const out = await translateHtmlSegments(html, async (text) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      return text.toUpperCase();
    });
    expect(most).toBe(HTML_SEGMENTS_AT_ONCE);
    expect(out).toBe(Array.from({ length: 50 }, (_, i) => `<b>W${i}</b>`).join(' '));
  });
});
