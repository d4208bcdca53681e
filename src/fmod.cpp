// fmod for the kura executable, so that it needs no libm: pugixml (linked statically) refers to fmod only
// from its XPath engine, which kura never uses, and glibc's static libm.a would tie the binary to one glibc
// release (its fmod reads errno through a GLIBC_PRIVATE symbol, which makes the package depend on libc6
// (<< 2.37)). The x87 FPREM instruction computes the exact remainder with the dividend's sign, as C's fmod
// does, a partial one at a time (the status word's C2 flag says more is left); NaN for an infinite dividend
// or a zero divisor.
extern "C" double fmod(double x, double y) {
  long double remainder = x;
  const long double divisor = y;
  __asm__(
      "1:\n\t"
      "fprem\n\t"
      "fnstsw %%ax\n\t"
      "testw $0x400, %%ax\n\t"
      "jnz 1b"
      : "+t"(remainder)
      : "u"(divisor)
      : "ax", "cc");
  return static_cast<double>(remainder);
}
