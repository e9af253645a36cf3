/**
 * Binding headers generated from a kernel's spec, as TF.js's makeShader does. A kernel names its
 * storage buffers and its uniform struct; the engine writes the `@group(0) @binding(n)` block in
 * front of the kernel's code and builds the bind group layout from the same names, so the WGSL,
 * the layout and the buffers a dispatch passes cannot disagree on order or count.
 *
 * Order (the engine's): read-only inputs, then read-write outputs, then the uniform `u`.
 */
export interface KernelBindings {
  /** Read-only storage buffers, each `Name` (an `array<f32>`) or `Name: type` (`A: array<vec4<f32>>`). */
  inputs: readonly string[];
  /** Read-write storage buffers, named as `inputs`. */
  outputs: readonly string[];
  /** The uniform's struct type (declared by the kernel's code), bound as `u`. */
  uniform?: string;
}

/** What a shader module gives for one kernel: its bindings, and its WGSL after the header. The op adds name and key. */
export interface KernelSource extends KernelBindings {
  /** Generated only when the pipeline is not cached yet. */
  code: () => string;
}

function storage(decl: string, binding: number, access: 'read' | 'read_write'): string {
  const colon = decl.indexOf(':');
  const [name, type] = colon < 0 ? [decl, 'array<f32>'] : [decl.slice(0, colon).trim(), decl.slice(colon + 1).trim()];
  return `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: ${type};`;
}

/** The `@group(0) @binding(n)` declarations of `b`, one per line. */
export function bindingHeader(b: KernelBindings): string {
  const lines = [...b.inputs.map((d, i) => storage(d, i, 'read')), ...b.outputs.map((d, i) => storage(d, b.inputs.length + i, 'read_write'))];
  if (b.uniform) lines.push(`@group(0) @binding(${lines.length}) var<uniform> u: ${b.uniform};`);
  return lines.join('\n');
}
