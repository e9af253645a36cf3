// a·b + c on four f32 lanes. Builds with relaxed SIMD (`--enable relaxed-simd`) emit one
// f32x4.relaxed_madd, which V8 lowers to a fused vfmadd on x64 with FMA3 (one instruction and one
// rounding instead of two, and one register fewer: the micro-kernels' tiles fit V8's 15 usable
// xmm registers without spilling). The portable build keeps the separate multiply and add.
// Either way, every thread runs the same machine code, so results stay bit-identical across
// thread counts within one build.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
