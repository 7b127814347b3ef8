import { type ExecutionContext, type HttpException } from '@nestjs/common';
import { type AppConfig } from '../common/config/app-config';
import { MultipartSizeGuard } from './multipart-size.guard';

function context(headers: Record<string, string>): ExecutionContext {
  return {
    switchToHttp: () => ({ getRequest: () => ({ headers }) }),
  } as unknown as ExecutionContext;
}

describe('MultipartSizeGuard', () => {
  const guard = new MultipartSizeGuard({ security: { maxBodyBytes: 100 } } as AppConfig);

  function refusal(headers: Record<string, string>): { status: number; body: unknown } {
    try {
      guard.canActivate(context(headers));
    } catch (error) {
      const http = error as HttpException;
      return { status: http.getStatus(), body: http.getResponse() };
    }
    throw new Error('not refused');
  }

  it('lets JSON, forms and multipart bodies within the limit through', () => {
    expect(guard.canActivate(context({ 'content-type': 'application/json' }))).toBe(true);
    expect(
      guard.canActivate(
        context({ 'content-type': 'multipart/form-data; boundary=x', 'content-length': '100' }),
      ),
    ).toBe(true);
  });

  it('refuses a multipart body over the limit (413) or without a length (411)', () => {
    expect(
      refusal({ 'content-type': 'multipart/form-data; boundary=x', 'content-length': '101' }),
    ).toEqual({ status: 413, body: { error: 'Request body larger than 100 bytes' } });
    expect(refusal({ 'content-type': 'Multipart/form-data; boundary=x' })).toEqual({
      status: 411,
      body: { error: 'A multipart body needs a Content-Length' },
    });
    expect(
      refusal({ 'content-type': 'multipart/form-data; boundary=x', 'content-length': 'lots' })
        .status,
    ).toBe(411);
  });
});
