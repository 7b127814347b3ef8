import { type IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { readUpload } from './multipart-upload';

const BOUNDARY = 'test-boundary';

function body(parts: { name: string; value: string | Buffer; filename?: string }[]): Buffer {
  const chunks = parts.map((part) =>
    Buffer.concat([
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${
          part.filename ? `; filename="${part.filename}"\r\nContent-Type: audio/wav` : ''
        }\r\n\r\n`,
      ),
      Buffer.from(part.value),
      Buffer.from('\r\n'),
    ]),
  );
  return Buffer.concat([...chunks, Buffer.from(`--${BOUNDARY}--\r\n`)]);
}

function request(data: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`) {
  const stream = new PassThrough();
  Object.assign(stream, { headers: { 'content-type': contentType } });
  stream.end(data);
  return stream as unknown as IncomingMessage;
}

describe('readUpload', () => {
  it('collects the fields (repeated ones in order) and the file', async () => {
    const upload = await readUpload(
      request(
        body([
          { name: 'model', value: 'whisper-1' },
          { name: 'timestamp_granularities[]', value: 'word' },
          { name: 'timestamp_granularities[]', value: 'segment' },
          { name: 'file', value: Buffer.alloc(100, 1), filename: 'a.wav' },
        ]),
      ),
      1000,
    );
    expect(upload.fields.get('model')).toEqual(['whisper-1']);
    expect(upload.fields.get('timestamp_granularities[]')).toEqual(['word', 'segment']);
    expect(upload.file).toEqual({ name: 'a.wav', data: Buffer.alloc(100, 1) });
  });

  it('refuses a file above the limit with 413', async () => {
    const big = body([{ name: 'file', value: Buffer.alloc(2000), filename: 'a.wav' }]);
    await expect(readUpload(request(big), 1000)).rejects.toMatchObject({
      status: 413,
      code: 'file_too_large',
    });
  });

  it('refuses a form without a file, a file under another name, or a body that is not multipart', async () => {
    await expect(
      readUpload(request(body([{ name: 'model', value: 'x' }])), 1000),
    ).rejects.toMatchObject({ status: 400, param: 'file' });
    await expect(
      readUpload(request(body([{ name: 'audio', value: 'abc', filename: 'a.wav' }])), 1000),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      readUpload(request(Buffer.from('{}'), 'application/json'), 1000),
    ).rejects.toMatchObject({ status: 400 });
  });
});
