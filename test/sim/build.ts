// Bundles the simulator's executables (fake tart, guest, fake runner) into plain ESM files,
// so each spawn costs a bare `node` start instead of a TypeScript loader.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Entry points: source (relative to test/sim) -> output name in test/sim/dist. Append only. */
export const SIM_ENTRIES: Record<string, string> = {
  'tart/cli.ts': 'tart.mjs',
  'guest/main.ts': 'guest.mjs',
  'runner/listener.ts': 'runner-listener.mjs',
  'runner/worker.ts': 'runner-worker.mjs',
};

export async function buildSim(): Promise<void> {
  const fs = await import('node:fs');
  const entries = Object.entries(SIM_ENTRIES).filter(([src]) => fs.existsSync(path.join(here, src)));
  fs.mkdirSync(path.join(here, 'dist'), { recursive: true });
  await Promise.all(
    entries.map(async ([src, out]) => {
      const outfile = path.join(here, 'dist', out);
      const result = await build({
        entryPoints: [path.join(here, src)],
        outfile,
        write: false,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: 'inline',
        logLevel: 'warning',
        // ssh2 has optional native add-ons; keep node_modules external so they resolve at run time.
        packages: 'external',
      });
      // Write then rename: processes started by a concurrent test run never see a half-written bundle.
      const tmp = `${outfile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, result.outputFiles[0].contents);
      fs.renameSync(tmp, outfile);
    }),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await buildSim();
}
