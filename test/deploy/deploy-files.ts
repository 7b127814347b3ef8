import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { envVariables } from 'src/common/config/config-reference';
import { ROOT } from '../helpers/processes';

export const DOCKER_DIR = join(ROOT, 'docker');
export const K8S_DIR = join(ROOT, 'deploy/k8s');

export function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

// ---- Dockerfiles ----

export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface DockerStage {
  name: string | undefined;
  from: string;
  instructions: DockerInstruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: DockerStage[];
}

/** Enough of the Dockerfile grammar for these checks: line continuations, comments, stages. */
export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && current === '')) continue;
    if (trimmed.endsWith('\\')) {
      current += trimmed.slice(0, -1) + ' ';
      continue;
    }
    logical.push((current + trimmed).trim());
    current = '';
  }
  if (current.trim() !== '') logical.push(current.trim());

  const result: Dockerfile = { globalArgs: {}, stages: [] };
  for (const line of logical.filter((l) => l !== '')) {
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = match[1].toUpperCase();
    const args = match[2].replace(/\s+/g, ' ').trim();
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Unparsed FROM: ${args}`);
      result.stages.push({ from: from[1], name: from[2], instructions: [] });
    } else if (result.stages.length === 0) {
      if (keyword !== 'ARG') throw new Error(`${keyword} before the first FROM`);
      const [name, value = ''] = args.split('=');
      result.globalArgs[name] = value;
    } else {
      result.stages[result.stages.length - 1].instructions.push({ keyword, args });
    }
  }
  return result;
}

export function instructions(stage: DockerStage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** KEY=VALUE pairs of ENV (or ARG) lines; a value may be double-quoted. A bare ARG NAME is ''. */
export function keyValues(lines: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of lines) {
    for (const match of line.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("[^"]*"|\S*))?/g)) {
      const value = match[2]?.replace(/^"(.*)"$/, '$1');
      values[match[1]] = value ?? values[match[1]] ?? '';
    }
  }
  return values;
}

/** A JSON-array (exec form) instruction, e.g. CMD ["node", "dist/main.js"]. */
export function execForm(args: string): string[] {
  const value: unknown = JSON.parse(args.replace(/^CMD\s+/, ''));
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new Error(`Not exec form: ${args}`);
  }
  return value;
}

/** The command a container of the image's final stage runs: ENTRYPOINT + CMD. */
export function startCommand(dockerfile: Dockerfile): string[] {
  const stage = dockerfile.stages[dockerfile.stages.length - 1];
  const entrypoint = instructions(stage, 'ENTRYPOINT').map(execForm).pop() ?? [];
  const cmd = instructions(stage, 'CMD').map(execForm).pop() ?? [];
  return [...entrypoint, ...cmd];
}

/** The environment of the final stage (ENV lines, ${ARG} defaults substituted). */
export function imageEnv(dockerfile: Dockerfile): Record<string, string> {
  const stage = dockerfile.stages[dockerfile.stages.length - 1];
  return keyValues(instructions(stage, 'ENV'));
}

// ---- YAML ----

export type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function yamlDocuments(path: string): Yaml[] {
  const documents = parseAllDocuments(read(path), { merge: true });
  return documents.map((document) => {
    if (document.errors.length > 0) {
      throw new Error(`${path}: ${document.errors.map((e) => e.message).join('; ')}`);
    }
    return document.toJS({ maxAliasCount: -1 }) as Yaml;
  });
}

export function yamlFile(path: string): Yaml {
  return parseYaml(read(path), { merge: true }) as Yaml;
}

/** Every *.yaml / *.yml under a folder, as paths relative to the repository root. */
export function yamlFilesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...yamlFilesUnder(path));
    else if (/\.ya?ml$/.test(entry.name)) found.push(relative(ROOT, path));
  }
  return found.sort();
}

/** The Kubernetes objects kustomization.yaml applies, each with the file it came from. */
export function kustomizeObjects(): { file: string; object: Yaml }[] {
  const kustomization = yamlFile('deploy/k8s/kustomization.yaml');
  const resources = kustomization.resources as string[];
  return resources.flatMap((resource) =>
    yamlDocuments(join('deploy/k8s', resource))
      .filter((object) => object !== null)
      .map((object) => ({ file: resource, object })),
  );
}

/** Variables the service reads: every entry of the environment schema. */
export function configVariables(): string[] {
  return envVariables()
    .map((variable) => variable.name)
    .sort();
}

/** Variable names in the configuration reference (docs/configuration.md, generated). */
export function documentedConfigVariables(): string[] {
  const doc = read('docs/configuration.md');
  return [...doc.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]).sort();
}
