/** `npm run bench -- <name>`: runs bench/<name>.bench.ts (all of them without a name). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const available = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => file.slice(0, -'.bench.ts'.length));
  const names = wanted.length > 0 ? wanted : available;
  for (const name of names) {
    const matches = available.filter((file) => file === name || file.startsWith(`${name}-`));
    if (matches.length === 0) {
      console.error(`No benchmark "${name}"; available: ${available.join(', ')}`);
      process.exitCode = 2;
      return;
    }
    for (const match of matches) {
      console.log(`\n=== ${match} ===`);
      const bench = (await import(join(__dirname, `${match}.bench.ts`))) as {
        run(): Promise<void>;
      };
      await bench.run();
    }
  }
}

void main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
