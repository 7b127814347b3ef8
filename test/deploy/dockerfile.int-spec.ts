import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { ROOT } from '../helpers/processes';
import {
  type Dockerfile,
  execForm,
  imageEnv,
  instructions,
  keyValues,
  parseDockerfile,
  read,
  startCommand,
} from './deploy-files';

/** Paths a .dockerignore lets into the build context ("**" then "!" exceptions, as ours is). */
function allowedByDockerignore(ignoreFile: string, path: string): boolean {
  // Docker's matching: "**/" is zero or more folders, "**" anything, "*" anything but "/".
  const toRegex = (pattern: string): RegExp =>
    new RegExp(
      '^' +
        pattern
          .split(/(\*\*\/|\*\*|\*)/)
          .map((part) => {
            if (part === '**/') return '(.*/)?';
            if (part === '**') return '.*';
            if (part === '*') return '[^/]*';
            return part.replace(/[.+?^$()|[\]\\{}]/g, '\\$&');
          })
          .join('') +
        '$',
    );
  let included = true;
  for (const raw of read(ignoreFile).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = negated ? line.slice(1) : line;
    if (toRegex(pattern).test(path)) included = negated;
  }
  return included;
}

describe.each([
  ['docker/Dockerfile', 'node:20-bookworm-slim', ['build', 'deps']],
  ['docker/Dockerfile.cuda', 'nvidia/cuda:', ['app', 'deps']],
])('%s', (path, runtimeBase, sources) => {
  const text = read(path);
  const dockerfile: Dockerfile = parseDockerfile(text);
  const final = dockerfile.stages[dockerfile.stages.length - 1];

  it('has no error or warning from the Dockerfile validator', () => {
    expect(validate(text).map((d) => d.message)).toEqual([]);
  });

  it('builds offline with either builder: no "# syntax=" frontend image to fetch', () => {
    expect(text).not.toMatch(/^#\s*syntax=/im);
  });

  it('is multi-stage: a runtime stage that copies from the stages that build', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    const names = dockerfile.stages.map((stage) => stage.name);
    expect(names).toEqual(expect.arrayContaining([...sources, 'runtime']));
    const copiesFrom = instructions(final, 'COPY')
      .map((args) => /--from=(\S+)/.exec(args)?.[1])
      .filter(Boolean);
    expect(copiesFrom).toEqual(expect.arrayContaining(sources));
    // The runtime stage compiles nothing: no compiler toolchain, no dev dependencies.
    expect(instructions(final, 'RUN').join(' ')).not.toMatch(/\b(g\+\+|npm ci|node-gyp)\b/);
  });

  it('runs on the expected base image', () => {
    const base = final.from.replace(
      /\$\{(\w+)\}/g,
      (_, name: string) => dockerfile.globalArgs[name] ?? `\${${name}}`,
    );
    expect(base.startsWith(runtimeBase)).toBe(true);
  });

  it('runs as a numeric non-root user (so runAsNonRoot can verify it)', () => {
    const user = instructions(final, 'USER').pop();
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user!.split(':')[0])).toBeGreaterThan(0);
  });

  it('starts node dist/main.js under tini as PID 1', () => {
    expect(startCommand(dockerfile)).toEqual(['/usr/bin/tini', '--', 'node', 'dist/main.js']);
    expect(instructions(final, 'RUN').join(' ')).toMatch(/apt-get install[^&]*\btini\b/);
  });

  it('checks its health with node against /health/live (no curl in the image)', () => {
    const healthcheck = instructions(final, 'HEALTHCHECK').pop()!;
    const command = execForm(healthcheck.slice(healthcheck.indexOf('CMD')));
    expect(command).toEqual(['node', '/app/healthcheck.cjs']);
    expect(read('docker/healthcheck.cjs')).toContain('/health/live');
    // The CUDA image has it with the rest of the CPU image's /app.
    expect(instructions(final, 'COPY')).toContain(
      path.endsWith('.cuda') ? '--from=app /app ./' : 'docker/healthcheck.cjs ./healthcheck.cjs',
    );
  });

  it('keeps writable paths on volumes so the root filesystem can be read-only', () => {
    expect(execForm(instructions(final, 'VOLUME').pop()!)).toEqual(['/models', '/tmp']);
    const env = imageEnv(dockerfile);
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      MODELS_DIR: '/models',
      TMPDIR: '/tmp',
      HOME: '/tmp',
    });
  });

  it('compiles whisper.cpp for x86-64-v3 by default and hands the level over as WHISPER_MARCH', () => {
    const deps = dockerfile.stages.find((stage) => stage.name === 'deps')!;
    expect(keyValues(instructions(deps, 'ARG')).WHISPER_CPU).toBe('x86-64-v3');
    expect(keyValues(instructions(deps, 'ENV')).WHISPER_MARCH).toBe('${WHISPER_CPU}');
  });

  it('copies only files that exist and that its .dockerignore lets into the context', () => {
    // The repository's .dockerignore: the classic builder reads only that one (not BuildKit's
    // per-Dockerfile ignore files), so both builders send the same context.
    const ignoreFile = '.dockerignore';
    expect(existsSync(join(ROOT, ignoreFile))).toBe(true);
    const sources = dockerfile.stages.flatMap((stage) =>
      instructions(stage, 'COPY')
        .filter((args) => !args.startsWith('--from'))
        .flatMap((args) => args.split(' ').slice(0, -1)),
    );
    expect(sources.length).toBeGreaterThanOrEqual(3);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source))).toBe(true);
      // A folder is let in when a file inside it is.
      const probe = statSync(join(ROOT, source)).isDirectory() ? `${source}/index.ts` : source;
      expect({ source, allowed: allowedByDockerignore(ignoreFile, probe) }).toEqual({
        source,
        allowed: true,
      });
    }
    expect(allowedByDockerignore(ignoreFile, 'node_modules/x/index.js')).toBe(false);
    expect(allowedByDockerignore(ignoreFile, '.env')).toBe(false);
    expect(allowedByDockerignore(ignoreFile, 'src/main.spec.ts')).toBe(false);
  });
});

describe('docker/Dockerfile specifics', () => {
  const dockerfile = parseDockerfile(read('docker/Dockerfile'));
  const final = dockerfile.stages[dockerfile.stages.length - 1];

  it('installs production dependencies only in the stage the runtime copies node_modules from', () => {
    const deps = dockerfile.stages.find((stage) => stage.name === 'deps')!;
    expect(instructions(deps, 'RUN').join(' ')).toMatch(/npm ci --omit=dev/);
    expect(instructions(final, 'COPY')).toContain('--from=deps /app/node_modules ./node_modules');
  });

  it('installs the Apertium packages the service is tested with (scripts/setup.sh)', () => {
    const setup = read('scripts/setup.sh');
    const tested = [...setup.matchAll(/\b(apertium(?:-[a-z]{3}-[a-z]{3})?)\b/g)].map((m) => m[1]);
    const imagePackages = keyValues(instructions(final, 'ARG')).APERTIUM_PACKAGES.split(' ');
    expect(new Set(imagePackages)).toEqual(new Set(tested));
    expect(instructions(final, 'RUN').join(' ')).toContain('${APERTIUM_PACKAGES}');
  });

  it('installs ffmpeg, which the OpenAI audio API needs for every upload format but WAV', () => {
    expect(keyValues(instructions(final, 'ARG')).FFMPEG_PACKAGE).toBe('ffmpeg');
    expect(instructions(final, 'RUN').join(' ')).toMatch(
      /apt-get install[^&]*\$\{FFMPEG_PACKAGE\}/,
    );
  });

  it('exposes the WebSocket port and every role health port', () => {
    expect(instructions(final, 'EXPOSE').join(' ').split(' ').sort()).toEqual([
      '5026',
      '8080',
      '8081',
      '8082',
    ]);
  });

  it('docker/Dockerfile.cuda reuses this image whole and rebuilds only the native addons', () => {
    const cuda = parseDockerfile(read('docker/Dockerfile.cuda'));
    expect(cuda.globalArgs.APP_IMAGE).toBe('realtime-stt:latest');
    expect(cuda.stages.find((stage) => stage.name === 'app')!.from).toBe('${APP_IMAGE}');
    const runtime = cuda.stages[cuda.stages.length - 1];
    expect(instructions(runtime, 'COPY')).toContain('--from=app /app ./');
    const fromDeps = instructions(runtime, 'COPY').filter((args) => args.startsWith('--from=deps'));
    expect(fromDeps.map((args) => args.split(' ')[1]).sort()).toEqual([
      '/app/native/whisper-addon/build/rt_whisper.node',
      '/app/node_modules/better-sqlite3',
    ]);
    // The CPU image's runtime ENV is the CUDA one's, but for the role and the device.
    const cpuEnv = imageEnv(dockerfile);
    const cudaEnv = imageEnv(cuda);
    for (const name of ['NODE_ENV', 'HOST', 'MODELS_DIR', 'TMPDIR', 'HOME']) {
      expect({ name, value: cudaEnv[name] }).toEqual({ name, value: cpuEnv[name] });
    }
  });

  it('the validator it relies on does report broken Dockerfiles', () => {
    const messages = validate('FROM node AS a\nHEALTHCHECK --intervall=1s CMD x\nRUNN x\n').map(
      (d) => d.message,
    );
    expect(messages).toEqual(
      expect.arrayContaining(['Unknown flag: intervall', 'Unknown instruction: RUNN']),
    );
  });
});

describe('production dependencies (the image installs only these)', () => {
  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sources(path);
      return /\.ts$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name) ? [path] : [];
    });
  }

  it('every package that src/ imports is in dependencies, not devDependencies', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const imported = new Set<string>();
    for (const file of sources(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const statements =
        /\bfrom\s+'([^'.][^']*)'|^import\s+'([^'.][^']*)'|\b(?:require|import)\(\s*'([^'.][^']*)'\s*\)/gm;
      for (const match of text.matchAll(statements)) {
        const specifier = match[1] ?? match[2] ?? match[3];
        if (specifier.startsWith('node:') || specifier.startsWith('src/')) continue;
        const parts = specifier.split('/');
        const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        if (!builtinModules.includes(name)) imported.add(name);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });
});
