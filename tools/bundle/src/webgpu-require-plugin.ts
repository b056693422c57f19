/**
 * esbuild bundles `require('literal')` but leaves `require(NAME)` to run time, where a bundle has
 * no node_modules/@tensorflow to find it (and must not: a second tfjs-core copy would not see our
 * backend registry). The backend loads tfjs-backend-webgpu as `require(WEBGPU_PACKAGE)`, a
 * constant declared in the same file, so it only loads when a GPU is wanted. This plugin
 * rewrites such calls, for constants naming an @tensorflow/tfjs-backend-* package, to the literal
 * form esbuild inlines; the import stays lazy. The optional native packages (tfjs-node) are
 * required through a non-constant and stay external.
 */
import fs from 'node:fs';
import type { Plugin } from 'esbuild';

const CONST = /const\s+([A-Za-z_$][\w$]*)\s*=\s*'(@tensorflow\/tfjs-backend-[a-z0-9-]+)'/g;

/** Returns `source` with `require(NAME)` spelled `require('<package>')` for each such constant. */
export function inlineBackendRequires(source: string): string {
  let out = source;
  for (const [, name, pkg] of source.matchAll(CONST)) {
    out = out.replace(new RegExp(`require\\(\\s*${name.replace(/\$/g, '\\$')}\\s*\\)`, 'g'), `require('${pkg}')`);
  }
  return out;
}

export const webgpuRequirePlugin: Plugin = {
  name: 'inline-backend-requires',
  setup(build) {
    build.onLoad({ filter: /[\\/]packages[\\/]backend[\\/]src[\\/][^\\/]+\.ts$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      return { contents: inlineBackendRequires(source), loader: 'ts' };
    });
  },
};
