// wgsl-preprocessor ships plain JS with no "main" field: its tag resolves #if/#elif/#else/#endif.
declare module 'wgsl-preprocessor/wgsl-preprocessor.js' {
  export function wgsl(strings: TemplateStringsArray, ...values: unknown[]): string;
}
