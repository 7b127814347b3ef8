/**
 * Benchmark dispatcher: `npm run bench -- <name> [args]` runs bench/<name>.bench.ts, whose default
 * export is `(args: string[]) => Promise<void>`. Without a name it lists what exists.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''));
  if (!name || !available.includes(name)) {
    console.error(`usage: npm run bench -- <${available.join('|')}> [args]`);
    process.exitCode = name ? 2 : 0;
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bench = require(join(__dirname, `${name}.bench`)) as {
    default?: (args: string[]) => Promise<void>;
    run?: (args: string[]) => Promise<void>;
  };
  const entry = bench.default ?? bench.run;
  if (!entry) throw new Error(`bench/${name}.bench.ts exports neither default nor run`);
  await entry(args);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
