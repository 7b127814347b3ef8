import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaticFilesService } from './static-files.service';

describe('StaticFilesService', () => {
  const root = mkdtempSync(join(tmpdir(), 'rt-public-'));
  mkdirSync(join(root, 'js'));
  writeFileSync(join(root, 'index.html'), '<html></html>');
  writeFileSync(join(root, 'js', 'app.js'), 'export {}');
  writeFileSync(join(root, 'js', 'transcript.model.js'), 'export {}');
  writeFileSync(join(root, 'secret.env'), 'x');
  writeFileSync(join(root, '..', 'outside.js'), 'x');
  const files = new StaticFilesService(root);

  it('finds files with their content type', () => {
    expect(files.resolve('index.html')).toEqual({
      path: join(root, 'index.html'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(files.resolve('/js/app.js')?.contentType).toBe('text/javascript; charset=utf-8');
  });

  it('resolves extensionless module paths to .js', () => {
    expect(files.resolve('js/app')?.path).toBe(join(root, 'js', 'app.js'));
    expect(files.resolve('js/transcript.model')?.path).toBe(
      join(root, 'js', 'transcript.model.js'),
    );
  });

  it('refuses paths outside the folder, folders, unknown types and missing files', () => {
    expect(files.resolve('../outside.js')).toBeUndefined();
    expect(files.resolve('%2e%2e/outside.js')).toBeUndefined();
    expect(files.resolve('js')).toBeUndefined();
    expect(files.resolve('secret.env')).toBeUndefined();
    expect(files.resolve('nope.js')).toBeUndefined();
    expect(files.resolve('%E0%A4%A')).toBeUndefined();
  });
});
