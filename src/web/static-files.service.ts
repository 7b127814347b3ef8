import { Injectable } from '@nestjs/common';
import { existsSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

export interface StaticFile {
  path: string;
  contentType: string;
}

/** The folder with the web app: `public/` at the repository root (next to src/ and dist/). */
export const PUBLIC_DIR = resolve(__dirname, '../../public');

/**
 * Maps a URL path to a file under the public folder, refusing anything outside it. A module path
 * without a served extension resolves to its `.js` file: the browser build keeps extensionless imports,
 * which Node and Jest resolve too, so the same modules serve both.
 */
@Injectable()
export class StaticFilesService {
  constructor(private readonly root: string = PUBLIC_DIR) {}

  resolve(urlPath: string): StaticFile | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const base = resolve(this.root);
    const candidate = resolve(base, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`);
    if (candidate !== base && !candidate.startsWith(base + sep)) return undefined;
    // `transcript.model` is a module path too: its extension is not one we serve.
    for (const path of [candidate, `${candidate}.js`]) {
      const contentType = TYPES[extname(path).toLowerCase()];
      if (contentType && existsSync(path) && statSync(path).isFile()) return { path, contentType };
    }
    return undefined;
  }
}
