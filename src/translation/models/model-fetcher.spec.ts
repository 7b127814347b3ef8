import { parseChecksumFile } from './model-fetcher';

describe('parseChecksumFile (the --checksums file)', () => {
  const a = 'a'.repeat(64);
  const b = 'B'.repeat(64);

  it('reads sha256sum lines, text and binary mode, skipping blanks and comments', () => {
    expect(
      parseChecksumFile(`# made on a trusted machine\n${a}  config.json\n\n${b} *./onnx/x.onnx\n`),
    ).toEqual({ 'config.json': a, 'onnx/x.onnx': 'b'.repeat(64) });
  });

  it('names the line that is not a checksum line', () => {
    expect(() => parseChecksumFile(`${a}  config.json\nabc  tokenizer.json`)).toThrow(
      'line 2 is not "<sha256>  <file>": abc  tokenizer.json',
    );
  });
});
