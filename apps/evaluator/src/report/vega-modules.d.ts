// The parts of vega and vega-lite the report uses. Both ship their own types, but only under the
// "exports" map, which this workspace's moduleResolution ("node", for CommonJS) does not read.
declare module 'vega-lite' {
  /** Compiles a Vega-Lite spec to a full Vega spec. */
  export function compile(spec: object): { spec: object };
}

declare module 'vega' {
  export function parse(spec: object): object;
  export class View {
    constructor(runtime: object, options: { renderer: 'none' });
    toSVG(scaleFactor?: number): Promise<string>;
    finalize(): this;
  }
}
