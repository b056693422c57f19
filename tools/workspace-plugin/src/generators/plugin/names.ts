/** The five plugin kinds the generator scaffolds (core's PLUGIN_KINDS, one template each). */
export const KINDS = ['data', 'tokenizer', 'model', 'loss', 'eval'] as const;
export type PluginKind = (typeof KINDS)[number];

export const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export interface Names {
  /** kebab-case plugin name: `focal` */
  readonly name: string;
  /** camelCase value name: `focal` / `myLoss` */
  readonly value: string;
  /** PascalCase type prefix: `Focal` */
  readonly type: string;
}

export function namesOf(name: string): Names {
  const type = name
    .split('-')
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
  return { name, value: type[0].toLowerCase() + type.slice(1), type };
}
