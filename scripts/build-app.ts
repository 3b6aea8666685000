// Bundles the Electron main process and the preload into out/ (what electron-builder packs).
//   npx tsx scripts/build-app.ts [outDir]
// main: ESM, dependencies left to node_modules (electron-builder ships them), electron external.
// preload: one CommonJS file with nothing to require but electron, as a sandboxed preload must be.
import { build, type BuildOptions } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function appBuilds(outDir: string): BuildOptions[] {
  return [
    {
      entryPoints: [path.join(root, 'src-main/app/entry.ts')],
      outfile: path.join(outDir, 'main', 'index.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning',
    },
    {
      entryPoints: [path.join(root, 'src-main/preload/index.ts')],
      outfile: path.join(outDir, 'preload', 'index.cjs'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'chrome140',
      external: ['electron'],
      sourcemap: 'inline',
      logLevel: 'warning',
    },
  ];
}

export async function buildApp(outDir = path.join(root, 'out')): Promise<void> {
  await Promise.all(appBuilds(outDir).map((options) => build(options)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const outDir = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  await buildApp(outDir);
  console.log(`built ${path.relative(process.cwd(), outDir ?? path.join(root, 'out'))}/main/index.js and preload/index.cjs`);
}
