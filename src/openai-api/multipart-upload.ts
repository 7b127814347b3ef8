import busboy from 'busboy';
import { type IncomingMessage } from 'node:http';
import { type FormFields } from './audio-request';
import { OpenAiError } from './openai-error';

export interface Upload {
  fields: FormFields;
  file: { name: string; data: Buffer };
}

/** Form fields besides the file are short; these bound what a client can make us hold. */
const FIELD_LIMITS = { fields: 32, fieldSize: 16 * 1024, parts: 40 };

/**
 * Reads a `multipart/form-data` upload into memory: its fields and its one `file`. A file above
 * `maxFileBytes` is refused with 413 as soon as the limit is crossed (the rest is not read); a
 * body that is not multipart, or has no file, is a 400.
 */
export function readUpload(request: IncomingMessage, maxFileBytes: number): Promise<Upload> {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) {
    return Promise.reject(
      new OpenAiError(400, 'the request must be multipart/form-data with a file', 'file'),
    );
  }
  return new Promise<Upload>((resolve, reject) => {
    const fields = new Map<string, string[]>();
    let file: Upload['file'] | undefined;
    let failure: OpenAiError | undefined;
    const fail = (error: OpenAiError): void => {
      failure ??= error;
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: { ...FIELD_LIMITS, files: 1, fileSize: maxFileBytes },
      });
    } catch (error) {
      reject(new OpenAiError(400, `malformed multipart body: ${(error as Error).message}`));
      return;
    }
    parser.on('field', (name, value) => fields.set(name, [...(fields.get(name) ?? []), value]));
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        fail(new OpenAiError(400, `unexpected file field '${name}'; send the audio as 'file'`));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        chunks.length = 0;
        // Answered now: the rest of the body is not read (the connection is closed after the
        // answer), however much more the client meant to send.
        request.unpipe(parser);
        stream.resume();
        reject(
          new OpenAiError(
            413,
            `the file is larger than the ${maxFileBytes} bytes this server accepts`,
            'file',
            'file_too_large',
          ),
        );
      });
      stream.on('end', () => {
        if (!stream.truncated)
          file = { name: info.filename ?? 'audio', data: Buffer.concat(chunks) };
      });
    });
    parser.on('filesLimit', () => fail(new OpenAiError(400, 'send exactly one file', 'file')));
    parser.on('error', (error: Error) =>
      reject(new OpenAiError(400, `malformed multipart body: ${error.message}`)),
    );
    parser.on('close', () => {
      if (failure) reject(failure);
      else if (!file || file.data.length === 0) {
        reject(new OpenAiError(400, "the request has no audio in its 'file' field", 'file'));
      } else resolve({ fields, file });
    });
    request.on('error', (error) => reject(new OpenAiError(400, `upload failed: ${error.message}`)));
    request.pipe(parser);
  });
}
