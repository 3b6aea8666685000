// Builds the renderer (React, src-renderer/) with Vite into out/renderer, or into outDir.
//   npx tsx scripts/build-renderer.ts [outDir]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RENDERER_OUT = path.join(root, 'out', 'renderer');

export async function buildRenderer(outDir = RENDERER_OUT): Promise<string> {
  await build({
    configFile: path.join(root, 'src-renderer', 'vite.config.ts'),
    build: { outDir, emptyOutDir: true },
    logLevel: 'warn',
  });
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const out = await buildRenderer(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`built ${path.relative(process.cwd(), out)}/index.html`);
}
