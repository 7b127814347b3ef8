import {
  fromApertiumStream,
  toApertiumHtmlStream,
  toApertiumStream,
} from './apertium-stream-format';

describe('Apertium stream format', () => {
  it('frames a request: id superblank, escapes, inserted period, NUL', () => {
    expect(toApertiumStream('Hello world.', 7)).toBe('[tr7]Hello world..[]\0');
  });

  it('escapes reserved characters and puts whitespace and ~ into superblanks', () => {
    expect(toApertiumStream('a^b$c/d<e>f@g{h}i[j]k\\l', 1)).toBe(
      '[tr1]a\\^b\\$c\\/d\\<e\\>f\\@g\\{h\\}i\\[j\\]k\\\\l.[]\0',
    );
    expect(toApertiumStream('one\ntwo~three\tfour', 2)).toBe(
      '[tr2]one[\n]two[~]three[\t]four.[]\0',
    );
  });

  it('drops NUL characters from the text so they cannot break the framing', () => {
    expect(toApertiumStream('a\0b', 3)).toBe('[tr3]ab.[]\0');
  });

  it('reads the id, removes the inserted period and trims', () => {
    expect(fromApertiumStream('[tr7] Hola Mundo..[]')).toEqual({
      id: 7,
      text: 'Hola Mundo.',
      unknownWords: [],
      errorWords: [],
    });
    expect(fromApertiumStream('[tr8]Quiero comer.[]').text).toBe('Quiero comer');
  });

  it('strips unknown-word and error marks for display and reports the words', () => {
    const output = fromApertiumStream('[tr1]*Xyzzy Es aquí y #estar @foo.[]');
    expect(output.text).toBe('Xyzzy Es aquí y estar foo');
    expect(output.unknownWords).toEqual(['Xyzzy']);
    expect(output.errorWords).toEqual(['estar', 'foo']);
  });

  it('keeps escaped characters literal, including escaped marks, and unwraps superblanks', () => {
    const output = fromApertiumStream('[tr1]5\\$ \\<ahora\\> \\[x\\] \\@*bob a[\n]b[~]c 3 * 4.[]');
    expect(output.text).toBe('5$ <ahora> [x] @bob a\nb~c 3 * 4');
    expect(output.unknownWords).toEqual(['bob']);
  });

  it('round-trips text without words Apertium would change', () => {
    const text = 'x^y $5 a/b <c> @d {e} [f] g\\h ~i';
    const stream = toApertiumStream(text, 42);
    const output = fromApertiumStream(stream.slice(0, -1));
    expect(output).toMatchObject({ id: 42, text });
  });
});

describe('Apertium stream format for HTML', () => {
  it('puts markup into escaped superblanks and escapes the prose', () => {
    expect(toApertiumHtmlStream('<p title="a/b">Tom &amp; Jerry&#39;s <b>cat</b></p>', 4)).toBe(
      `[tr4][\\<p title="a\\/b"\\>]Tom [&amp;] Jerry's [\\<b\\>]cat[\\<\\/b\\>\\<\\/p\\>].[]\0`,
    );
  });

  it('sends a bare &, < or > of the prose as an entity, as the other engines escape them', () => {
    expect(toApertiumHtmlStream('<p>1 < 2 & 3 > 2</p>', 5)).toBe(
      `[tr5][\\<p\\>]1 [&lt;] 2 [&amp;] 3 [&gt;] 2[\\<\\/p\\>].[]\0`,
    );
  });

  it('reads the markup back untouched from the superblanks', () => {
    expect(
      fromApertiumStream('[tr4][\\<p title="a\\/b"\\>]Tom [&amp;] Jerry[\\<\\/p\\>].[]').text,
    ).toBe('<p title="a/b">Tom &amp; Jerry</p>');
  });
});
