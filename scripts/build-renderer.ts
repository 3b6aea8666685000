// Builds the renderer (React, src-renderer/) with Vite into out/renderer, or into outDir.
//   npx tsx scripts/build-renderer.ts [outDir]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RENDERER_OUT = path.join(root, 'out', 'renderer');

export async function buildRenderer(outDir = RENDERER_OUT): Promise<string> {
  // What ships, also under vitest: it sets NODE_ENV=test, and Vite would then compile JSX for
  // React's development runtime. Vite reads NODE_ENV itself, so it is set for the build's length.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(root, 'src-renderer', 'vite.config.ts'),
      build: { outDir, emptyOutDir: true },
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const out = await buildRenderer(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`built ${path.relative(process.cwd(), out)}/index.html`);
}
