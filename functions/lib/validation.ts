// Lambda code validates with zod/mini, the tree-shakable API of zod 4: a bundle carries only the
// schemas it uses (classic `zod` put 443 KB into every bundle). The pattern for every handler:
//   import * as z from 'zod/mini';   // a namespace import, so esbuild drops what is unused
//   import { describeIssues } from '../lib/validation';
// Not `import { z } from 'zod/mini'` and no re-export of the namespace from here: either keeps all of
// zod in the bundle. zod/mini loads no locale and says "Invalid input" for every issue; importing
// this module (config.ts does, so every handler does) loads the English messages classic zod gives.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

/** One "path: message" line per issue; `root` names an issue about the whole value. */
export function describeIssues(error: z.core.$ZodError, root: string): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || root}: ${issue.message}`);
}
